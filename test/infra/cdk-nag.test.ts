import { App, Stack, Validations } from 'aws-cdk-lib';
import { LogLevel } from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks, NagPack, ServerlessChecks } from 'cdk-nag';
import { JourneyEngine } from '../../lib/infrastructure/journey-engine';
import { EngineDataStack, EngineStack } from '../../lib/infrastructure/stacks';
import { journeyConfig } from './journey-config';

const config = { segments: [] };

function newApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

/** `rule at path` for every unacknowledged finding: readable when the assertion fails. */
function findings(pack: NagPack, stack: Stack): string[] {
  return pack
    .validateScope(stack)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId}`));
}

const packs: Array<[string, (app: App) => NagPack]> = [
  ['AwsSolutions', (app) => new AwsSolutionsChecks(app)],
  ['Serverless', (app) => new ServerlessChecks(app)],
];

describe('cdk-nag', () => {
  const app = newApp();
  const dataStack = new EngineDataStack(app, 'Data');
  const engineStack = new EngineStack(app, 'Engine', { config, data: dataStack.data });
  const allInOne = new Stack(app, 'AllInOne');
  new JourneyEngine(allInOne, 'Journeys', { config });
  // Two journeys, templates and every channel: state machines, messaging grants, feedback rules.
  const journeysStack = new EngineStack(app, 'EngineWithJourneys', { config: journeyConfig, data: dataStack.data });
  const journeysAllInOne = new Stack(app, 'AllInOneWithJourneys');
  new JourneyEngine(journeysAllInOne, 'Journeys', { config: journeyConfig, stateMachineNamePrefix: 'toko-', journeyLogLevel: LogLevel.ERROR });

  describe.each(packs)('%s pack', (_name, pack) => {
    it.each([
      ['the data stack', dataStack],
      ['the engine stack', engineStack],
      ['a plain stack holding the whole engine', allInOne],
      ['an engine stack with journeys and messaging', journeysStack],
      ['a plain stack with journeys under its own prefix, logging errors only', journeysAllInOne],
    ])('finds nothing unacknowledged in %s', (_what, stack) => {
      expect(findings(pack(app), stack)).toEqual([]);
    });
  });

  it('gives every acknowledgement a reason', () => {
    const acknowledgements = app.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, unknown>));
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) {
      expect({ id, reason: typeof reason === 'string' && reason.trim().length >= 40 }).toEqual({ id, reason: true });
    }
  });
});
