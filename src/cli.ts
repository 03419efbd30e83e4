import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Command, InvalidArgumentError, Option } from 'commander';

import { build, contentErrors, loadContent, type OutputFormat } from './build.ts';
import { removeFolioFolders, type FolderKind } from './clean.ts';
import { planExperiments } from './experiments/plan.ts';
import { inspectExperiments } from './experiments/runner.ts';
import { languageSchema, type Language } from './config/manifest.ts';
import { describeError, FolioError, isFolioError } from './errors.ts';
import { createLogger, type Logger, type LogLevel } from './logger.ts';
import { Diagnostics, formatDiagnostic } from './pipeline/diagnostics.ts';
import { acquireBuildLock } from './lock.ts';
import { createRunReporter } from './progress.ts';
import { onInterrupt, runInterruptCleanups } from './shutdown.ts';

const packageVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface CommonOptions {
  content: string;
  out: string;
  logLevel: LogLevel;
  json?: boolean;
  debug?: boolean;
}

function parseLanguages(value: string): Language[] {
  return value.split(',').map((part) => {
    const parsed = languageSchema.safeParse(part.trim());
    if (!parsed.success)
      throw new InvalidArgumentError(`unknown language "${part}"; use zh, en or zh,en`);
    return parsed.data;
  });
}

function parseFormats(value: string): OutputFormat[] {
  return value.split(',').map((part) => {
    const format = part.trim();
    if (format !== 'html' && format !== 'pdf')
      throw new InvalidArgumentError(`unknown format "${format}"; use html, pdf or html,pdf`);
    return format;
  });
}

function cacheDirFor(): string {
  return path.resolve(process.env.FOLIO_CACHE_DIR ?? path.join(projectRoot, '.folio-cache'));
}

function printDiagnostics(diagnostics: Diagnostics, logger: Logger): void {
  for (const item of diagnostics.items) logger.info(formatDiagnostic(item));
}

function addCommonOptions(command: Command): Command {
  return command
    .option('--content <dir>', 'content folder with report.yaml', path.join(projectRoot, 'content'))
    .option('--out <dir>', 'output folder', path.join(projectRoot, 'out'))
    .addOption(
      new Option('--log-level <level>', 'how much to print')
        .choices(['silent', 'info', 'verbose', 'debug'])
        .default('info'),
    )
    .option('--json', 'print a machine-readable summary on stdout')
    .option('--debug', 'print stack traces of unexpected errors');
}

export function createProgram(): Command {
  const program = new Command('folio')
    .version(packageVersion, '-V, --version', 'print the folio version')
    .description(
      'Build a bilingual report whose numbers are computed by experiments while it builds.',
    )
    .showHelpAfterError('(run folio --help for usage)')
    // Set before the subcommands are added, because each copies it when it is created: a wrong
    // command line then throws to main(), which exits with 2, instead of commander exiting with 1.
    .exitOverride();

  addCommonOptions(
    program
      .command('build', { isDefault: true })
      .description('run or reuse the experiments, then write the HTML site and the PDFs'),
  )
    .option(
      '--lang <languages>',
      'languages to build, comma-separated (default: all in report.yaml)',
      parseLanguages,
    )
    .option('--format <formats>', 'outputs to write: html, pdf or html,pdf', parseFormats, [
      'html',
      'pdf',
    ] as OutputFormat[])
    .option(
      '--force [ids...]',
      're-run all experiments, or only the given ids, instead of using the cache',
    )
    .addOption(
      new Option(
        '--backend <name>',
        'TensorFlow.js backend (default: the first of tensorflow, wasm, cpu that loads)',
      ).choices(['tensorflow', 'wasm', 'cpu']),
    )
    .option('--jobs <n>', 'experiments to run at once (default: number of cores)', (value) => {
      const jobs = Number(value);
      if (!Number.isInteger(jobs) || jobs < 1)
        throw new InvalidArgumentError('jobs must be a positive whole number');
      return jobs;
    })
    .option('--strict', 'fail on warnings too')
    .action(
      async (
        options: CommonOptions & {
          lang?: Language[];
          format: OutputFormat[];
          force?: true | string[];
          backend?: 'tensorflow' | 'wasm' | 'cpu';
          jobs?: number;
          strict?: boolean;
        },
      ) => {
        const logger = createLogger(options.logLevel);
        const started = performance.now();
        const reporter = createRunReporter(logger, Boolean(process.stderr.isTTY) && !options.json);
        let summary;
        let tally;
        const outDir = path.resolve(options.out);
        const release = await acquireBuildLock(outDir, logger);
        const unregister = onInterrupt(release);
        try {
          summary = await build({
            contentDir: path.resolve(options.content),
            outDir,
            cacheDir: cacheDirFor(),
            templatesDir: path.join(projectRoot, 'templates'),
            languages: options.lang,
            formats: options.format,
            train: true,
            force: options.force,
            strict: options.strict,
            backend: options.backend,
            jobs: options.jobs,
            logger,
            onRunEvent: reporter.onEvent,
          });
        } finally {
          tally = reporter.finish();
          unregister();
          await release();
        }
        printDiagnostics(summary.diagnostics, logger);
        const failed =
          summary.diagnostics.errorCount > 0 ||
          (options.strict && summary.diagnostics.warningCount > 0);
        const seconds = (performance.now() - started) / 1000;
        if (summary.results.length > 0) {
          const counts = `experiments: ${tally.ran} run, ${tally.cached} cached, ${tally.failed} failed`;
          const training =
            tally.ran === 0 && tally.failed === 0
              ? 'nothing trained: every result came from the cache'
              : `training ${tally.trainingSeconds.toFixed(1)} s summed over workers`;
          logger.info(`${counts}; ${training}`);
        }
        for (const output of summary.outputs.filter((file) => !file.endsWith('.json')))
          logger.info(`wrote ${path.relative(process.cwd(), output)}`);
        if (options.json) {
          process.stdout.write(
            JSON.stringify(
              {
                ok: !failed && tally.failed === 0,
                seconds,
                experiments: tally,
                results: summary.results.map((result) => ({
                  id: result.id,
                  status: result.status,
                  cached: result.cached,
                  cacheKey: result.cacheKey,
                })),
                outputs: summary.outputs,
                diagnostics: summary.diagnostics.items,
              },
              null,
              2,
            ) + '\n',
          );
        }
        if (failed) throw contentErrors(summary.diagnostics);
        if (tally.failed > 0) {
          throw new FolioError(
            'EXPERIMENT_FAILED',
            `${tally.failed} experiment(s) failed; the report shows them as failed`,
            {
              hint: 'read the reason above, fix the parameters or the experiment, and build again',
            },
          );
        }
        logger.info(`done in ${seconds.toFixed(1)} s`);
      },
    );

  addCommonOptions(
    program
      .command('check')
      .description('check the content without training or printing, and list every problem'),
  )
    .option('--strict', 'fail on warnings too')
    .action(async (options: CommonOptions & { strict?: boolean }) => {
      const logger = createLogger(options.logLevel);
      const summary = await build({
        contentDir: path.resolve(options.content),
        outDir: path.resolve(options.out),
        cacheDir: cacheDirFor(),
        templatesDir: path.join(projectRoot, 'templates'),
        formats: [],
        train: false,
        logger,
      });
      printDiagnostics(summary.diagnostics, logger);
      const { errorCount, warningCount } = summary.diagnostics;
      if (options.json)
        process.stdout.write(
          JSON.stringify(
            { errors: errorCount, warnings: warningCount, diagnostics: summary.diagnostics.items },
            null,
            2,
          ) + '\n',
        );
      logger.info(`${errorCount} error(s), ${warningCount} warning(s)`);
      if (errorCount > 0 || (options.strict && warningCount > 0)) process.exitCode = 1;
    });

  addCommonOptions(
    program
      .command('experiments')
      .description('list the experiments of the report with their cache state'),
  )
    .addOption(
      new Option(
        '--backend <name>',
        'TensorFlow.js backend the cache keys are computed for',
      ).choices(['tensorflow', 'wasm', 'cpu']),
    )
    .action(async (options: CommonOptions & { backend?: 'tensorflow' | 'wasm' | 'cpu' }) => {
      const logger = createLogger(options.logLevel);
      const diagnostics = new Diagnostics();
      const content = loadContent(path.resolve(options.content), diagnostics);
      const plans = planExperiments(content.blocks, diagnostics);
      printDiagnostics(diagnostics, logger);
      const states = await inspectExperiments([...plans.values()], {
        cacheDir: cacheDirFor(),
        backend: options.backend,
      });
      if (options.json) {
        process.stdout.write(JSON.stringify(states, null, 2) + '\n');
      } else {
        const width = Math.max(2, ...states.map((state) => state.id.length));
        for (const state of states) {
          process.stdout.write(
            `${state.id.padEnd(width)}  ${state.model.padEnd(16)}  ${state.state.padEnd(10)}  ${state.cacheKey.slice(0, 16)}  ${path.relative(process.cwd(), state.declaredAt)}\n`,
          );
        }
      }
      if (diagnostics.errorCount > 0) process.exitCode = 1;
    });

  program
    .command('dev')
    .description('serve the HTML site, rebuild it after every change, and reload open pages')
    .option('--content <dir>', 'content folder with report.yaml', path.join(projectRoot, 'content'))
    .option(
      '--out <dir>',
      'output folder; its site/ folder is served',
      path.join(projectRoot, 'out'),
    )
    .option(
      '--host <address>',
      'address to listen on; any but a loopback one exposes the site to other machines',
      '127.0.0.1',
    )
    .option(
      '--port <n>',
      'port to listen on (0 picks a free one)',
      (value) => {
        const port = Number(value);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new InvalidArgumentError('port must be a whole number from 0 to 65535');
        return port;
      },
      4321,
    )
    .option(
      '--lang <languages>',
      'languages to build, comma-separated (default: all in report.yaml)',
      parseLanguages,
    )
    .addOption(
      new Option(
        '--backend <name>',
        'TensorFlow.js backend (default: the first of tensorflow, wasm, cpu that loads)',
      ).choices(['tensorflow', 'wasm', 'cpu']),
    )
    .addOption(
      new Option('--log-level <level>', 'how much to print')
        .choices(['silent', 'info', 'verbose', 'debug'])
        .default('info'),
    )
    .option('--debug', 'print stack traces of unexpected errors')
    .action(
      async (options: {
        content: string;
        out: string;
        host: string;
        port: number;
        lang?: Language[];
        backend?: 'tensorflow' | 'wasm' | 'cpu';
        logLevel: LogLevel;
        debug?: boolean;
      }) => {
        // Imported here so that the other commands do not load the file watcher.
        const { startDevSession } = await import('./dev/dev-session.ts');
        const logger = createLogger(options.logLevel);
        const session = await startDevSession({
          contentDir: path.resolve(options.content),
          outDir: path.resolve(options.out),
          cacheDir: cacheDirFor(),
          templatesDir: path.join(projectRoot, 'templates'),
          experimentsDir: path.join(projectRoot, 'src', 'experiments'),
          host: options.host,
          port: options.port,
          languages: options.lang,
          backend: options.backend,
          logger,
          logLevel: options.logLevel,
          interactive: Boolean(process.stderr.isTTY),
          debug: options.debug,
        });
        // On Ctrl-C, main() runs this cleanup and then exits with code 130.
        onInterrupt(() => session.close());
        await session.closed;
      },
    );

  addCommonOptions(
    program
      .command('clean')
      .description('delete the output folder; with --cache, the experiment cache too'),
  )
    .option('--cache', 'also delete the experiment cache')
    .action((options: CommonOptions & { cache?: boolean }) => {
      const logger = createLogger(options.logLevel);
      const folders: { folder: string; kind: FolderKind }[] = [
        { folder: path.resolve(options.out), kind: 'output' },
      ];
      if (options.cache) folders.push({ folder: cacheDirFor(), kind: 'cache' });
      const existing = new Set(
        folders.filter(({ folder }) => existsSync(folder)).map(({ folder }) => folder),
      );
      removeFolioFolders(folders);
      for (const { folder } of folders) {
        logger.info(
          existing.has(folder)
            ? `removed ${folder}`
            : `nothing to remove: ${folder} does not exist`,
        );
      }
      if (options.json) {
        const removed = folders.map(({ folder }) => ({ folder, removed: existing.has(folder) }));
        process.stdout.write(JSON.stringify({ removed }, null, 2) + '\n');
      }
    });

  return program;
}

/** Runs the CLI and sets the exit code; the only place that prints errors. */
export async function main(argv: string[]): Promise<void> {
  const program = createProgram();
  // `build` is the default command, so commander would read a misspelt command as an argument
  // of build and report "too many arguments for 'build'".
  const commandName = argv[2];
  const commandNames = [...program.commands.map((command) => command.name()), 'help'];
  if (
    commandName !== undefined &&
    !commandName.startsWith('-') &&
    !commandNames.includes(commandName)
  ) {
    process.stderr.write(
      `error: unknown command '${commandName}'; use one of ${commandNames.join(', ')}\n(run folio --help for usage)\n`,
    );
    process.exitCode = 2;
    return;
  }
  process.once('SIGINT', () => {
    process.stderr.write(
      '\ninterrupted: stopping workers and Chromium; the previous outputs stay as they were\n',
    );
    void runInterruptCleanups().finally(() => process.exit(130));
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (
      code === 'commander.helpDisplayed' ||
      code === 'commander.version' ||
      code === 'commander.help'
    ) {
      process.exitCode = 0;
      return;
    }
    if (code?.startsWith('commander.')) {
      process.exitCode = 2;
      return;
    }
    if (isFolioError(error)) {
      process.stderr.write(`${error.message}\n`);
      if (error.hint) process.stderr.write(`  what to do: ${error.hint}\n`);
      if (argv.includes('--debug') && error.cause)
        process.stderr.write(`${String((error.cause as Error).stack ?? error.cause)}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`unexpected error: ${describeError(error)}\n`);
    if (argv.includes('--debug') && error instanceof Error)
      process.stderr.write(`${error.stack}\n`);
    else
      process.stderr.write(
        '  what to do: run again with --debug for the stack trace, and report it\n',
      );
    process.exitCode = 1;
  }
}
