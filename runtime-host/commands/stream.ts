// Placeholder until the 'stream' command lands.
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('lambda-workbench: stream is not implemented yet\n');
  return 2;
}
