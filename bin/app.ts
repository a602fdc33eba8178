#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { indonesiaConfig } from '../examples/indonesia';
import { EngineDataStack, EngineStack } from '../lib/infrastructure/stacks';

const app = new App();
const dataStack = new EngineDataStack(app, 'JourneyEngineData', {
  description: 'Journey engine (stateful): profiles table and KMS key',
});
new EngineStack(app, 'JourneyEngine', {
  description: 'Journey engine (stateless): ingest API, queues, processor, admin API, re-evaluation, journey state machines, feedback',
  config: indonesiaConfig,
  data: dataStack.data,
});

// cdk-nag 3: rule packs are policy-validation plugins; findings land in the synth report.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
