// Errors a route raises on purpose: they carry the status and the words the user sees.
// Anything else is a fault: logged in full, shown only as a reference.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

export function notFound(message: string): HttpError {
  return new HttpError(404, 'Not found', message);
}
