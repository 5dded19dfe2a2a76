import { createInterface } from 'node:readline';

/**
 * A secret for a CLI command: the whole of stdin when it is a pipe or file (its final newline
 * dropped), else asked for on the terminal without echoing it.
 */
export async function readSecret(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    return text.replace(/\r?\n$/, '');
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Nothing typed is echoed: readline writes through _writeToOutput.
  const muted = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stderr.write(prompt);
  muted._writeToOutput = () => {};
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}
