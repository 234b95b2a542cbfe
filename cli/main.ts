/**
 * `switchyard`: the operator's command line over the HTTP API (README, "The switchyard CLI").
 * Run from a clone as `npx switchyard ...` (cli/bin/switchyard.js).
 */
import { Command, CommanderError } from 'commander';
import { errorMessage } from '../shared/errors/errorMessage';
import { registerDeadLetters, registerIngressDeadLetters } from './commands/deadletters';
import { registerDeliveries } from './commands/deliveries';
import { registerEvents } from './commands/events';
import { registerPublish } from './commands/publish';
import { registerSubscriptions } from './commands/subscriptions';
import { registerTail } from './commands/tail';
import { CliError, EXIT } from './exitCodes';

const CONFIGURATION_HELP = `
Where it connects (first match wins):
  1. --profile NAME or SWITCHYARD_PROFILE: a profile of the config file
  2. SWITCHYARD_URL (the app's URL, with or without /api), with SWITCHYARD_API_KEY (an sk_... key
     or the bootstrap admin key) or SWITCHYARD_TOKEN (an Entra ID access token)
  3. the config file's defaultProfile
  4. the local stack of npm start in this clone (its dev host port and bootstrap admin key)

Config file: $SWITCHYARD_CONFIG, else ~/.config/switchyard/config.json (or config.yaml), e.g.
  {"defaultProfile": "prod",
   "profiles": {"prod": {"url": "https://switchyard.azurewebsites.net",
                         "tokenCommand": "az account get-access-token --resource api://switchyard --query accessToken -o tsv"}}}
A profile takes one of apiKey, token, tokenCommand, or none (then SWITCHYARD_API_KEY / SWITCHYARD_TOKEN).

Exit codes: 0 done, 1 the API refused the call (4xx), 2 bad command line, file or configuration,
3 the API unreachable, timed out or failing (5xx).`;

function buildProgram(): Command {
  const program = new Command('switchyard')
    .description(
      'Operate Switchyard: publish events, see what happened to them, manage subscriptions and dead letters',
    )
    .option('--json', 'print JSON (for scripts) instead of tables')
    .option('--profile <name>', 'use this profile of the config file')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .addHelpText('after', CONFIGURATION_HELP);
  registerPublish(program);
  registerEvents(program);
  registerSubscriptions(program);
  registerDeliveries(program);
  registerDeadLetters(program);
  registerIngressDeadLetters(program);
  registerTail(program);
  return program;
}

/** The exit code for what a command threw, after saying what went wrong on stderr. */
function exitCodeFor(error: unknown, json: boolean): number {
  if (error instanceof CommanderError) {
    // Help and version are answers, not errors; commander has already printed the message.
    return error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.help' ||
      error.code === 'commander.version' ||
      error.exitCode === 0
      ? EXIT.ok
      : EXIT.usage;
  }
  if (error instanceof CliError) {
    process.stderr.write(
      json && error.problem !== undefined
        ? `${JSON.stringify({ error: error.message, problem: error.problem })}\n`
        : `switchyard: ${error.message}\n`,
    );
    return error.exitCode;
  }
  process.stderr.write(`switchyard: ${errorMessage(error)}\n`);
  return EXIT.unavailable;
}

const program = buildProgram();
program.parseAsync(process.argv).then(
  () => {
    process.exitCode = EXIT.ok;
  },
  (error: unknown) => {
    process.exitCode = exitCodeFor(error, program.opts<{ json?: boolean }>().json === true);
  },
);
