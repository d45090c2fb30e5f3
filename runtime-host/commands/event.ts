// Placeholder until the 'event' command lands.
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('lambda-workbench: event is not implemented yet\n');
  return 2;
}
