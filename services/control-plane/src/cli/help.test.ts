// No secret in the CLI's help or errors, even with CONTROL_PLANE_TOKEN set: every command's
// --help is read (found by walking the help itself), and the errors that quote user input.
import { runCli } from './program';

const TOKEN = 'cp-token-SECRET-7f3a9c1e5b';
const ENV = { CONTROL_PLANE_TOKEN: TOKEN, CONTROL_PLANE_ADDRESS: '127.0.0.1:1', MANIFOLD_ACTOR: 'help-test' };

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCli(args, { stdout: (t) => (out += t), stderr: (t) => (out += t) }, ENV);
  return { code, out };
}

/** The subcommand names a help text lists under "Commands:". */
function subcommands(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1] ?? '';
  return section
    .split('\n')
    .map((line) => /^ {2}([a-z][a-z-]*)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== 'help');
}

describe('manifold --help', () => {
  it('shows no secret in the help of any command', async () => {
    const seen: string[] = [];
    const walk = async (path: string[]): Promise<void> => {
      const { code, out } = await cli(...path, '--help');
      expect({ path, code }).toEqual({ path, code: 0 });
      seen.push(path.join(' '));
      expect({ path, leaks: out.includes(TOKEN) }).toEqual({ path, leaks: false });
      for (const name of subcommands(out)) await walk([...path, name]);
    };
    await walk([]);
    expect(seen).toEqual(
      expect.arrayContaining(['', 'workspaces', 'sources create', 'destinations update', 'warehouses create', 'apply']),
    );
    expect(seen.length).toBeGreaterThan(20);
    const { out } = await cli('--help');
    expect(out).toMatch(/--token <token> +service token \(default: \$CONTROL_PLANE_TOKEN\)/);
  });

  it('quotes no setting value in errors about settings', async () => {
    const badJson = await cli(
      'destinations',
      'create',
      'w',
      'D',
      '--catalog',
      'x',
      '--settings',
      `{"apiKey": ${TOKEN}}`,
    );
    expect(badJson).toEqual({
      code: 1,
      out: 'error: --settings is not valid JSON (expected an object such as {"key": "value"})\n',
    });
    const noKey = await cli('destinations', 'update', 'w', 'D', '--set', TOKEN);
    expect(noKey.code).toBe(1);
    expect(noKey.out).not.toContain(TOKEN);
  });
});
