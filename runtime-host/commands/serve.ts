// Placeholder until the 'serve' command lands.
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('lambda-workbench: serve is not implemented yet\n');
  return 2;
}
