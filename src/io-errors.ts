// File-system errors in words a user understands; the error code names the cause, the
// message of Node's error repeats the path and the system call.

/** Why a file or folder could not be read, e.g. "permission denied". */
export function ioReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'not found';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'not a folder';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EIO':
      return 'input/output error (a failing disk or network share?)';
    default:
      return e instanceof Error ? e.message : String(err);
  }
}
