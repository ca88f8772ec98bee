import { USAGE_ERROR } from './main.js';

export async function runServe(_args: string[]): Promise<number> {
  console.error('openrem serve: the web interface is not part of this build yet');
  return USAGE_ERROR;
}
