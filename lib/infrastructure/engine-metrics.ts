import { Duration } from 'aws-cdk-lib';
import { Metric, MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import { DEFAULT_METRICS_NAMESPACE, DIMENSION, METRIC, MetricName, SERVICE, ServiceName } from './metrics';

/**
 * The engine's custom metrics as CloudWatch `Metric`s, with exactly the dimensions the handlers
 * emit (`metrics.ts`): what the dashboard graphs and the alarms watch.
 *
 * @example
 * const metrics = new EngineMetrics('JourneyEngine');
 * metrics.sends({ outcome: 'failed' }); // JourneyEngine/Sends {service: journey-task, Outcome: failed}, Sum over 5 minutes
 */
export class EngineMetrics {
  public constructor(public readonly namespace: string = DEFAULT_METRICS_NAMESPACE) {}

  /** A metric of `service`, with the extra dimensions it is emitted with; Sum over 5 minutes. */
  public of(service: ServiceName, metricName: MetricName, dimensions: Record<string, string> = {}, options: MetricOptions = {}): Metric {
    return new Metric({
      namespace: this.namespace,
      metricName,
      dimensionsMap: { [DIMENSION.service]: service, ...dimensions },
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...options,
    });
  }

  /** Sends of one outcome: of one channel, or of all channels (the Outcome-only dimension set). */
  public sends(filter: { outcome: string; channel?: string }, options?: MetricOptions): Metric {
    const dimensions: Record<string, string> = filter.channel === undefined
      ? { [DIMENSION.outcome]: filter.outcome }
      : { [DIMENSION.channel]: filter.channel, [DIMENSION.outcome]: filter.outcome };
    return this.of(SERVICE.journeyTask, METRIC.sends, dimensions, { label: [filter.channel, filter.outcome].filter(Boolean).join(' '), ...options });
  }

  public suppressions(reason: string, options?: MetricOptions): Metric {
    return this.of(SERVICE.journeyTask, METRIC.suppressions, { [DIMENSION.reason]: reason }, { label: reason, ...options });
  }

  public eventsIngested(options?: MetricOptions): Metric {
    return this.of(SERVICE.ingest, METRIC.eventsIngested, {}, { label: 'ingested', ...options });
  }

  public eventsRejected(reason: string, options?: MetricOptions): Metric {
    return this.of(SERVICE.ingest, METRIC.eventsRejected, { [DIMENSION.reason]: reason }, { label: `rejected: ${reason}`, ...options });
  }

  public requestsRejected(reason: string, options?: MetricOptions): Metric {
    return this.of(SERVICE.ingest, METRIC.requestsRejected, { [DIMENSION.reason]: reason }, { label: reason, ...options });
  }

  public feedbackEvents(type: string, options?: MetricOptions): Metric {
    return this.of(SERVICE.feedback, METRIC.feedbackEvents, { [DIMENSION.type]: type }, { label: type, ...options });
  }

  public feedbackIgnored(reason: string, options?: MetricOptions): Metric {
    return this.of(SERVICE.feedback, METRIC.feedbackIgnored, { [DIMENSION.reason]: reason }, { label: `ignored: ${reason}`, ...options });
  }
}
