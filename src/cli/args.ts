// Command-line arguments of the subcommands: options and positional arguments, and usage
// errors that name the argument at fault. Nothing a user types is ignored silently.
import { USAGE_ERROR } from './main.js';

/** A command line that does not fit the command's usage; the message names the culprit. */
export class UsageError extends Error {}

export interface ParsedArgs {
  positional: string[];
  options: Map<string, string | true>;
}

/** The message for an argument a command does not take. */
export function unexpectedArgument(arg: string): string {
  return arg.startsWith('-') && arg.length > 1 ? `unknown option ${arg}` : `unexpected argument "${arg}"`;
}

/**
 * `--name value`, `--name=value` and flags (`withValue` and `flags` name the options taken);
 * after `--` every argument is positional, so a file may be called "-x".
 */
export function parseArgs(args: readonly string[], withValue: readonly string[], flags: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? (eq > 0 ? arg.slice(2, eq) : arg.slice(2)) : null;
    if (name !== null && withValue.includes(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      options.set(name, value);
    } else if (name !== null && flags.includes(name) && eq < 0) {
      options.set(name, true);
    } else {
      throw new UsageError(unexpectedArgument(arg));
    }
  }
  return { positional, options };
}

/** Refuses positional arguments after the first `max`, naming the first extra one. */
export function atMost(positional: readonly string[], max: number): void {
  const extra = positional[max];
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
}

/** Prints a usage error the way every command does, and gives its exit code. */
export function usageFailure(command: string, err: UsageError, usage: string): number {
  console.error(`openrem ${command}: ${err.message}`);
  console.error(usage.startsWith('Usage') ? usage : `Usage: ${usage}`);
  return USAGE_ERROR;
}
