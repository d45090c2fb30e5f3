// Placeholder until the 'invoke' command lands.
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('lambda-workbench: invoke is not implemented yet\n');
  return 2;
}
