import { CfnOutput, CrossStackReferences, ReferenceStrength, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EngineData, EngineDataProps, IEngineData } from './engine-data';
import { JourneyEngine, JourneyEngineProps } from './journey-engine';

export interface EngineDataStackProps extends StackProps, EngineDataProps {}

/**
 * The stateful stack: the profiles table and its key. Deployed once and rarely changed;
 * termination protection is on so that deleting the stateless stack, or a typo, cannot take it along.
 */
export class EngineDataStack extends Stack {
  public readonly data: EngineData;

  public constructor(scope: Construct, id: string, props: EngineDataStackProps = {}) {
    super(scope, id, { terminationProtection: true, ...props });
    this.data = new EngineData(this, 'Data', props);
  }
}

export interface EngineStackProps extends StackProps, JourneyEngineProps {
  /** The table and key of an `EngineDataStack`. */
  readonly data: IEngineData;
}

/** The stateless stack: ingest, queues, functions, APIs and journey state machines, freely redeployed or replaced. */
export class EngineStack extends Stack {
  public readonly engine: JourneyEngine;

  public constructor(scope: Construct, id: string, props: EngineStackProps) {
    super(scope, id, props);
    // Strong on purpose (Fn::ImportValue): CloudFormation then refuses to delete the data stack, or
    // replace its table, while this stack still uses them.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    this.engine = new JourneyEngine(this, 'Engine', props);

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the Segment-compatible ingest API (point an SDK here) and of /admin',
      value: this.engine.apiUrl,
    });
    new CfnOutput(this, 'TableName', { value: this.engine.table.tableName });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.engine.deadLetterQueue.queueUrl });
  }
}
