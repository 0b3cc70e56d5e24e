// Build POSIX sh command lines from argv arrays, so nothing we send over SSH is
// ever assembled by string concatenation of unquoted user input.

const BARE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

// Words that sh treats as syntax when they are the first word of a command.
const RESERVED_WORDS = new Set([
  'case', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'for', 'if', 'in', 'then', 'until', 'while',
]);

/** Quote one argument for POSIX sh: bare when safe, otherwise single-quoted. */
export function quoteArg(arg: string): string {
  if (arg.includes('\0')) throw new Error('shell argument contains a NUL byte');
  if (BARE_WORD.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** One command line; argv[0] is the program. */
export function commandLine(argv: readonly string[]): string {
  const [program, ...args] = argv;
  if (program === undefined) throw new Error('empty command');
  return [quoteProgram(program), ...args.map(quoteArg)].join(' ');
}

// A bare "A=1" in command position is a variable assignment, and "if" is syntax,
// so the program word gets quotes in those cases even though it is "safe".
function quoteProgram(program: string): string {
  const quoted = quoteArg(program);
  if (quoted !== program) return quoted;
  return program.includes('=') || RESERVED_WORDS.has(program) ? `'${program}'` : program;
}

/** `a | b | c`. Like any sh pipeline, its exit status is that of the last command. */
export function pipeline(...cmds: string[][]): string {
  if (cmds.length === 0) throw new Error('empty pipeline');
  return cmds.map(commandLine).join(' | ');
}

/** `a && b && c`: stops at the first failure and returns its status. */
export function andThen(...cmds: string[][]): string {
  if (cmds.length === 0) throw new Error('empty command list');
  return cmds.map(commandLine).join(' && ');
}

/**
 * Run argv as root: unchanged for root, else behind `sudo -n --`
 * (-n fails instead of waiting for a password prompt nobody will answer).
 */
export function sudoWrap(argv: readonly string[], user: string): string[] {
  if (argv.length === 0) throw new Error('empty command');
  return user === 'root' ? [...argv] : ['sudo', '-n', '--', ...argv];
}
