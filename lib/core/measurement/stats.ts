/**
 * The statistics behind a journey's measurement readout: is the treatment group's conversion rate
 * (or revenue per customer) different from the holdout's, by how much, and how sure are we?
 *
 * Pure and dependency-free: counts and summaries in, estimates out. "Not enough data yet" is a
 * returned value ({@link NotEnoughData}); only invalid input (negative counts, more conversions than
 * exposures, non-finite numbers) throws an {@link InvalidMeasurementInputError}.
 *
 * All tests are two-sided. `significant` means the two-sided p-value is below `1 - confidence`.
 */

/** Input that no experiment can produce, such as more conversions than exposed customers. */
export class InvalidMeasurementInputError extends Error {
  /** The offending field, e.g. `treatment.conversions`. */
  public readonly field: string;

  public constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, options);
    this.name = 'InvalidMeasurementInputError';
    this.field = field;
  }
}

/** One group's conversions out of the customers exposed to it (entered the journey or the holdout). */
export interface ProportionGroup {
  readonly conversions: number;
  readonly exposed: number;
}

/** A group's sample size, mean and sample variance (denominator `n - 1`). */
export interface Summary {
  readonly n: number;
  readonly mean: number;
  readonly variance: number;
}

/** A two-sided confidence interval. */
export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

/** A point estimate with its confidence interval; `interval` is absent when it cannot be computed. */
export interface Estimate {
  readonly estimate: number;
  readonly interval?: Interval;
}

/** The readout when a group is still too small for the test's approximation to hold. */
export interface NotEnoughData {
  readonly status: 'insufficient_data';
  /** Which rule failed, in words a readout can show. */
  readonly reason: string;
  /**
   * The smallest size each group must reach under the current rates, when it can be estimated
   * (a proportion readout with zero conversions in total cannot say how many more it needs).
   */
  readonly needed?: { readonly perGroup: number };
}

/** Thresholds below which a comparison returns {@link NotEnoughData}. */
export interface SampleRuleOptions {
  /**
   * The confidence level of intervals and of `significant`.
   * @default 0.95
   */
  readonly confidence?: number;
  /**
   * The fewest customers (exposed, or values) each group must have.
   * @default 30
   */
  readonly minimumPerGroup?: number;
}

/** Options of {@link compareProportions}. */
export interface ProportionOptions extends SampleRuleOptions {
  /**
   * The fewest expected conversions, and expected non-conversions, each group must have under the
   * null hypothesis (`n * p` and `n * (1 - p)` with `p` the pooled rate): the usual condition for the
   * normal approximation of a binomial.
   * @default 5
   */
  readonly minimumExpectedCount?: number;
}

/** Options of {@link compareMeans}. */
export type MeanOptions = SampleRuleOptions;

/** The two-proportion z-test of a treatment against its control (holdout). */
export interface ProportionComparison {
  readonly status: 'compared';
  readonly confidence: number;
  readonly treatment: ProportionGroup & { readonly rate: number };
  readonly control: ProportionGroup & { readonly rate: number };
  /** Treatment rate minus control rate, with the unpooled (Wald) interval. */
  readonly difference: Estimate;
  /**
   * (Treatment rate - control rate) / control rate, with a delta-method interval on the log of the
   * rate ratio, exponentiated back. Absent when the control rate is 0; its interval is absent when
   * the treatment rate is 0.
   */
  readonly relativeLift?: Estimate;
  /** The test statistic, with the pooled standard error. 0 when both rates are 0 or both are 1. */
  readonly z: number;
  readonly pValue: number;
  readonly significant: boolean;
}

/** Welch's unequal-variance t-test of a treatment's mean against its control's. */
export interface MeanComparison {
  readonly status: 'compared';
  readonly confidence: number;
  readonly treatment: Summary;
  readonly control: Summary;
  /** Treatment mean minus control mean, with the Welch t interval. */
  readonly difference: Estimate;
  /**
   * (Treatment mean - control mean) / control mean. Absent when the control mean is 0; its interval
   * (delta method on the log of the ratio of means, normal quantile) is absent unless both means are
   * positive.
   */
  readonly relativeLift?: Estimate;
  readonly t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  readonly degreesOfFreedom: number;
  readonly pValue: number;
  readonly significant: boolean;
}

/** Inputs of {@link minimumSampleSize}. */
export interface SampleSizeProps {
  /** The control's expected conversion rate, in (0, 1). */
  readonly baselineRate: number;
  /** The smallest relative lift worth detecting, e.g. `0.1` for +10 % (negative for a drop). */
  readonly minimumDetectableLift: number;
  /**
   * The probability of detecting a lift of that size.
   * @default 0.8
   */
  readonly power?: number;
  /**
   * One minus the two-sided false-positive rate.
   * @default 0.95
   */
  readonly confidence?: number;
}

const DEFAULT_CONFIDENCE = 0.95;
const DEFAULT_MINIMUM_PER_GROUP = 30;
const DEFAULT_MINIMUM_EXPECTED_COUNT = 5;

/**
 * Compare conversion rates with a two-proportion z-test: pooled standard error for `z` and the
 * p-value, unpooled (Wald) standard error for the interval of the difference, delta method on the
 * log rate ratio for the interval of the relative lift.
 *
 * Returns {@link NotEnoughData} while a group has fewer than `minimumPerGroup` exposed (default 30)
 * or fewer than `minimumExpectedCount` (default 5) expected conversions or expected non-conversions
 * at the pooled rate. Throws {@link InvalidMeasurementInputError} naming the field for negative or
 * fractional counts and for conversions above exposed.
 *
 * @example
 * compareProportions({ conversions: 120, exposed: 1000 }, { conversions: 100, exposed: 1000 });
 * // { status: 'compared', difference: { estimate: 0.02, interval: { lower: -0.0074, upper: 0.0474 } },
 * //   relativeLift: { estimate: 0.2, ... }, z: 1.4293, pValue: 0.1529, significant: false, ... }
 */
export function compareProportions(
  treatment: ProportionGroup,
  control: ProportionGroup,
  options: ProportionOptions = {},
): ProportionComparison | NotEnoughData {
  checkGroup('treatment', treatment);
  checkGroup('control', control);
  const confidence = checkConfidence('options.confidence', options.confidence ?? DEFAULT_CONFIDENCE);
  const minimumPerGroup = checkNonNegative('options.minimumPerGroup', options.minimumPerGroup ?? DEFAULT_MINIMUM_PER_GROUP);
  const minimumExpected = checkNonNegative('options.minimumExpectedCount', options.minimumExpectedCount ?? DEFAULT_MINIMUM_EXPECTED_COUNT);

  const n1 = treatment.exposed;
  const n2 = control.exposed;
  const pooled = n1 + n2 === 0 ? 0 : (treatment.conversions + control.conversions) / (n1 + n2);
  const rarer = Math.min(pooled, 1 - pooled);
  const perGroup = Math.max(minimumPerGroup, rarer > 0 ? Math.ceil(minimumExpected / rarer - 1e-9) : 0);
  const needed = rarer > 0 || minimumExpected === 0 ? { needed: { perGroup } } : {};
  if (Math.min(n1, n2) < minimumPerGroup) {
    return { status: 'insufficient_data', reason: `each group needs at least ${minimumPerGroup} exposed customers (treatment has ${n1}, control ${n2})`, ...needed };
  }
  if (Math.min(n1, n2) * rarer < minimumExpected || Math.min(n1, n2) === 0) {
    return {
      status: 'insufficient_data',
      reason: `each group needs at least ${minimumExpected} expected conversions and ${minimumExpected} expected non-conversions at the pooled rate ${pooled}`,
      ...needed,
    };
  }

  const p1 = treatment.conversions / n1;
  const p2 = control.conversions / n2;
  const difference = p1 - p2;
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = pooledSe === 0 ? 0 : difference / pooledSe;
  const pValue = pooledSe === 0 ? 1 : 2 * normalCdf(-Math.abs(z));
  const critical = normalQuantile(1 - (1 - confidence) / 2);
  const waldSe = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);

  return {
    status: 'compared',
    confidence,
    treatment: { ...treatment, rate: p1 },
    control: { ...control, rate: p2 },
    difference: { estimate: difference, interval: { lower: difference - critical * waldSe, upper: difference + critical * waldSe } },
    ...(p2 > 0 && { relativeLift: ratioLift(p1, p2, (1 - p1) / (n1 * p1) + (1 - p2) / (n2 * p2), critical) }),
    z,
    pValue,
    significant: pValue < 1 - confidence,
  };
}

/**
 * Compare means (e.g. revenue per customer) with Welch's unequal-variance t-test and
 * Welch–Satterthwaite degrees of freedom. Each group is raw values or a {@link Summary} (see
 * {@link summaryFromSums} to build one from running counters).
 *
 * Returns {@link NotEnoughData} while a group has fewer than `minimumPerGroup` values (default 30,
 * never taken below 2, the fewest with a sample variance), or when both variances are 0 (every value equal in both groups: no spread to test against).
 *
 * @example
 * compareMeans(summaryFromSums(400, 10_000, 1_000_000), summaryFromSums(400, 8_000, 800_000));
 * // { status: 'compared', difference: { estimate: 5, interval: { lower: -0.79, upper: 10.79 } },
 * //   relativeLift: { estimate: 0.25, ... }, t: 1.694, degreesOfFreedom: 793.0, pValue: 0.0906, significant: false, ... }
 */
export function compareMeans(
  treatment: readonly number[] | Summary,
  control: readonly number[] | Summary,
  options: MeanOptions = {},
): MeanComparison | NotEnoughData {
  const a = toSummary('treatment', treatment);
  const b = toSummary('control', control);
  const confidence = checkConfidence('options.confidence', options.confidence ?? DEFAULT_CONFIDENCE);
  const minimumPerGroup = Math.max(2, checkNonNegative('options.minimumPerGroup', options.minimumPerGroup ?? DEFAULT_MINIMUM_PER_GROUP));
  if (Math.min(a.n, b.n) < minimumPerGroup) {
    return { status: 'insufficient_data', reason: `each group needs at least ${minimumPerGroup} customers (treatment has ${a.n}, control ${b.n})`, needed: { perGroup: minimumPerGroup } };
  }
  if (a.variance === 0 && b.variance === 0) {
    return { status: 'insufficient_data', reason: 'every value is the same in both groups, so there is no variance to test against' };
  }

  const s1 = a.variance / a.n;
  const s2 = b.variance / b.n;
  const se = Math.sqrt(s1 + s2);
  const degreesOfFreedom = (s1 + s2) ** 2 / (s1 ** 2 / (a.n - 1) + s2 ** 2 / (b.n - 1));
  const difference = a.mean - b.mean;
  const t = difference / se;
  const pValue = studentTTwoSidedP(t, degreesOfFreedom);
  const critical = studentTQuantile(1 - (1 - confidence) / 2, degreesOfFreedom);
  const lift =
    b.mean === 0
      ? {}
      : a.mean > 0 && b.mean > 0
        ? { relativeLift: ratioLift(a.mean, b.mean, s1 / a.mean ** 2 + s2 / b.mean ** 2, normalQuantile(1 - (1 - confidence) / 2)) }
        : { relativeLift: { estimate: difference / b.mean } };

  return {
    status: 'compared',
    confidence,
    treatment: a,
    control: b,
    difference: { estimate: difference, interval: { lower: difference - critical * se, upper: difference + critical * se } },
    ...lift,
    t,
    degreesOfFreedom,
    pValue,
    significant: pValue < 1 - confidence,
  };
}

/**
 * The size, mean and sample variance (`n - 1`) of some values, in one pass (Welford). An empty list
 * has mean 0; fewer than two values have variance 0.
 *
 * @example
 * summarise([2, 4, 4, 4, 5, 5, 7, 9]); // { n: 8, mean: 5, variance: 4.571428571428571 }
 */
export function summarise(values: readonly number[]): Summary {
  let mean = 0;
  let squares = 0;
  values.forEach((value, index) => {
    if (!Number.isFinite(value)) throw new InvalidMeasurementInputError(`values[${index}]`, `must be a finite number, got ${value}`);
    const delta = value - mean;
    mean += delta / (index + 1);
    squares += delta * (value - mean);
  });
  return { n: values.length, mean, variance: values.length > 1 ? squares / (values.length - 1) : 0 };
}

/**
 * A {@link Summary} from running counters: the count, the sum and the sum of squares of the
 * values. Rounding that would make the variance slightly negative is clamped to 0.
 *
 * @example
 * summaryFromSums(8, 40, 232); // { n: 8, mean: 5, variance: 4.571428571428571 }
 */
export function summaryFromSums(n: number, sum: number, sumOfSquares: number): Summary {
  checkCount('n', n);
  checkFinite('sum', sum);
  checkFinite('sumOfSquares', sumOfSquares);
  if (sumOfSquares < 0) throw new InvalidMeasurementInputError('sumOfSquares', `cannot be negative, got ${sumOfSquares}`);
  if (n === 0) return { n, mean: 0, variance: 0 };
  const mean = sum / n;
  return { n, mean, variance: n > 1 ? Math.max(0, (sumOfSquares - sum * mean) / (n - 1)) : 0 };
}

/**
 * Customers needed in each group for a two-sided two-proportion z-test to detect a relative lift
 * of `minimumDetectableLift` over `baselineRate` with the given power (normal approximation, no
 * continuity correction; the same formula as R's `power.prop.test`), rounded up.
 *
 * @example
 * minimumSampleSize({ baselineRate: 0.1, minimumDetectableLift: 0.1 }); // 14751
 */
export function minimumSampleSize(props: SampleSizeProps): number {
  const { baselineRate: p1, minimumDetectableLift: lift } = props;
  const power = props.power ?? 0.8;
  const confidence = checkConfidence('confidence', props.confidence ?? DEFAULT_CONFIDENCE);
  if (!(p1 > 0 && p1 < 1)) throw new InvalidMeasurementInputError('baselineRate', `must be between 0 and 1 exclusive, got ${p1}`);
  if (!(power > 0 && power < 1)) throw new InvalidMeasurementInputError('power', `must be between 0 and 1 exclusive, got ${power}`);
  const p2 = p1 * (1 + lift);
  if (!Number.isFinite(lift) || lift === 0 || !(p2 > 0 && p2 < 1)) {
    throw new InvalidMeasurementInputError('minimumDetectableLift', `must be non-zero and keep the treatment rate between 0 and 1, got ${lift} (rate ${p2})`);
  }
  const mean = (p1 + p2) / 2;
  const zAlpha = normalQuantile(1 - (1 - confidence) / 2);
  const zBeta = normalQuantile(power);
  const root = zAlpha * Math.sqrt(2 * mean * (1 - mean)) + zBeta * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return Math.ceil((root * root) / ((p2 - p1) * (p2 - p1)));
}

// ---------------------------------------------------------------------------------------------
// Distributions. Relative accuracy, checked against mpmath at 40 digits: about 1e-15 for the normal
// functions; for Student's t about 1e-14 up to 100 degrees of freedom, 1e-11 up to 1e6 and 1e-8 up
// to 1e8 (the continued fraction loses digits for huge df). A readout shows four.

/**
 * The standard normal cumulative distribution function Φ(x), through the regularized upper
 * incomplete gamma function: P(Z > |x|) = Q(1/2, x²/2) / 2, so tails keep full relative precision.
 *
 * @example
 * normalCdf(1.959963984540054); // 0.975
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const tail = upperGammaOfHalf((x * x) / 2) / 2;
  return x > 0 ? 1 - tail : tail;
}

const LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
const TINY = 1e-300;

/** Q(1/2, z) = erfc(√z): the power series of P below z = 1.5, Lentz's continued fraction above. */
function upperGammaOfHalf(z: number): number {
  if (z === Infinity) return 0;
  const front = Math.exp(-z + 0.5 * Math.log(z) - LOG_SQRT_PI);
  if (z < 1.5) {
    let term = 2;
    let sum = term;
    for (let a = 1.5; Math.abs(term) > Math.abs(sum) * Number.EPSILON; a++) {
      term *= z / a;
      sum += term;
    }
    return 1 - sum * front;
  }
  let b = z + 0.5;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - 0.5);
    b += 2;
    d = an * d + b;
    d = 1 / (Math.abs(d) < TINY ? TINY : d);
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < Number.EPSILON) break;
  }
  return front * h;
}

const ACKLAM_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/**
 * The standard normal quantile Φ⁻¹(p): Acklam's rational approximation (relative error 1.15e-9)
 * polished by one Halley step against {@link normalCdf}.
 *
 * @example
 * normalQuantile(0.975); // 1.959963984540054
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) throw new InvalidMeasurementInputError('p', `must be a probability between 0 and 1, got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const low = 0.02425;
  let x: number;
  if (p < low || p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(p < low ? p : 1 - p));
    const c = ACKLAM_C;
    const d = ACKLAM_D;
    const value = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    x = p < low ? value : -value;
  } else {
    const q = p - 0.5;
    const r = q * q;
    const a = ACKLAM_A;
    const b = ACKLAM_B;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  // One Halley step; Φ(x) - p is taken on the smaller tail so that p close to 1 keeps its digits.
  const error = p > 0.5 ? 1 - p - normalCdf(-x) : normalCdf(x) - p;
  const u = error * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return Number.isFinite(u) ? x - u / (1 + (x * u) / 2) : x;
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

/**
 * ln Γ(x) for x > 0, by the Lanczos approximation (g = 7, nine coefficients), with the reflection
 * formula below 1/2.
 *
 * @example
 * logGamma(0.5); // 0.5723649429247001 (ln √π)
 */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new InvalidMeasurementInputError('x', `logGamma needs a positive argument, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * The regularized incomplete beta function I_x(a, b), by its continued fraction evaluated with
 * the modified Lentz method, on whichever side of the mean converges fast.
 *
 * @example
 * regularizedIncompleteBeta(0.5, 3, 3); // 0.5
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) throw new InvalidMeasurementInputError('a, b', `must be positive, got ${a} and ${b}`);
  if (Number.isNaN(x) || x < 0 || x > 1) throw new InvalidMeasurementInputError('x', `must be between 0 and 1, got ${x}`);
  if (x === 0 || x === 1) return x;
  return incompleteBeta(a, b, x, 1 - x, Math.log(x), Math.log1p(-x));
}

/**
 * I_x(a, b) with x, y = 1 - x and their logarithms given separately, so that a caller who knows
 * them precisely (the t tail, where x is within 1e-8 of 1 for large df) loses no digits.
 */
function incompleteBeta(a: number, b: number, x: number, y: number, logX: number, logY: number): number {
  if (y === 0) return 1;
  if (x === 0) return 0;
  const front = Math.exp(a * logX + b * logY - logBeta(a, b));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(x, y, a, b)) / a : 1 - (front * betaContinuedFraction(y, x, b, a)) / b;
}

/**
 * ln B(a, b). When one argument is large, ln Γ(big) - ln Γ(big + small) comes from Stirling's
 * series with the cancelling terms folded into log1p: subtracting two Lanczos values near 1e9
 * would lose eight digits.
 */
function logBeta(a: number, b: number): number {
  const small = Math.min(a, b);
  const big = Math.max(a, b);
  if (big < 1000) return logGamma(a) + logGamma(b) - logGamma(a + b);
  const difference = -(big - 0.5) * Math.log1p(small / big) - small * Math.log(big + small) + small + stirlingCorrection(big) - stirlingCorrection(big + small);
  return logGamma(small) + difference;
}

/** ln Γ(x) - [(x - 1/2) ln x - x + ln √(2π)] for x ≥ 1000, where four terms reach 1e-30. */
function stirlingCorrection(x: number): number {
  const r = 1 / (x * x);
  return (1 / 12 - r * (1 / 360 - r * (1 / 1260 - r / 1680))) / x;
}

function betaContinuedFraction(x: number, y: number, a: number, b: number): number {
  let c = 1;
  // 1 - (a + b) x / (a + 1); for x close to 1 the same value from y, which does not cancel.
  let d = x > 0.5 ? (1 - b + (a + b) * y) / (a + 1) : 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < TINY ? TINY : d);
  let h = d;
  for (let m = 1; m <= 1_000_000; m++) {
    const m2 = 2 * m;
    const even = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + even * d;
    d = 1 / (Math.abs(d) < TINY ? TINY : d);
    c = 1 + even / c;
    if (Math.abs(c) < TINY) c = TINY;
    h *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + odd * d;
    d = 1 / (Math.abs(d) < TINY ? TINY : d);
    c = 1 + odd / c;
    if (Math.abs(c) < TINY) c = TINY;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < Number.EPSILON) return h;
  }
  return h;
}

/**
 * Student's t cumulative distribution function with `df` (possibly fractional) degrees of freedom:
 * P(T ≤ t) = 1 - I_{df/(df+t²)}(df/2, 1/2) / 2 for t ≥ 0.
 *
 * @example
 * studentTCdf(2.228138852, 10); // 0.975
 */
export function studentTCdf(t: number, df: number): number {
  checkDegreesOfFreedom(df);
  if (Number.isNaN(t)) return NaN;
  const tail = studentTTwoSidedP(t, df) / 2;
  return t > 0 ? 1 - tail : tail;
}

/**
 * Student's t quantile: the t with `studentTCdf(t, df) === p`. Exact for 1 and 2 degrees of freedom,
 * otherwise Newton's method on the smaller tail from the normal quantile, kept inside a bracket.
 *
 * @example
 * studentTQuantile(0.975, 10); // 2.2281388519862744
 */
export function studentTQuantile(p: number, df: number): number {
  checkDegreesOfFreedom(df);
  if (Number.isNaN(p) || p < 0 || p > 1) throw new InvalidMeasurementInputError('p', `must be a probability between 0 and 1, got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  if (df === 1) return Math.tan(Math.PI * (p - 0.5));
  if (df === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  const tail = 1 - p;
  const upperTail = (t: number) => studentTTwoSidedP(t, df) / 2;
  let lower = 0;
  let upper = Math.max(1, normalQuantile(p));
  while (upperTail(upper) > tail) upper *= 2;
  let t = Math.min(Math.max(normalQuantile(p), lower), upper);
  const logNorm = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  for (let i = 0; i < 200; i++) {
    const excess = upperTail(t) - tail;
    if (excess > 0) lower = t;
    else upper = t;
    const density = Math.exp(logNorm - ((df + 1) / 2) * Math.log1p((t * t) / df));
    let next = t + excess / density;
    if (!(next > lower && next < upper)) next = (lower + upper) / 2;
    if (Math.abs(next - t) <= 4 * Number.EPSILON * Math.abs(next)) return next;
    t = next;
  }
  return t;
}

/** P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2), computed directly so small p-values keep their digits. */
function studentTTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return Number.isNaN(t) ? NaN : 0;
  if (df > 1e12) return 2 * normalCdf(-Math.abs(t));
  const t2 = t * t;
  return incompleteBeta(df / 2, 0.5, df / (df + t2), t2 / (df + t2), -Math.log1p(t2 / df), Math.log(t2 / (df + t2)));
}

// ---------------------------------------------------------------------------------------------

/** The ratio lift and its delta-method interval exp(log(r) ± z·se), `logVariance` being Var(log r). */
function ratioLift(treatment: number, control: number, logVariance: number, critical: number): Estimate {
  const ratio = treatment / control;
  if (!(treatment > 0)) return { estimate: ratio - 1 };
  const half = critical * Math.sqrt(logVariance);
  return { estimate: ratio - 1, interval: { lower: ratio * Math.exp(-half) - 1, upper: ratio * Math.exp(half) - 1 } };
}

function toSummary(field: string, group: readonly number[] | Summary): Summary {
  if (isValueList(group)) {
    try {
      return summarise(group);
    } catch (error) {
      if (!(error instanceof InvalidMeasurementInputError)) throw error;
      throw new InvalidMeasurementInputError(`${field}.${error.field}`, error.message.slice(error.field.length + 2), { cause: error });
    }
  }
  checkCount(`${field}.n`, group.n);
  checkFinite(`${field}.mean`, group.mean);
  checkFinite(`${field}.variance`, group.variance);
  if (group.variance < 0) throw new InvalidMeasurementInputError(`${field}.variance`, `cannot be negative, got ${group.variance}`);
  return { n: group.n, mean: group.mean, variance: group.variance };
}

function isValueList(group: readonly number[] | Summary): group is readonly number[] {
  return Array.isArray(group);
}

function checkGroup(field: string, group: ProportionGroup): void {
  checkCount(`${field}.conversions`, group.conversions);
  checkCount(`${field}.exposed`, group.exposed);
  if (group.conversions > group.exposed) {
    throw new InvalidMeasurementInputError(`${field}.conversions`, `cannot exceed ${field}.exposed (${group.conversions} > ${group.exposed})`);
  }
}

function checkCount(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidMeasurementInputError(field, `must be a non-negative integer, got ${value}`);
}

function checkFinite(field: string, value: number): void {
  if (!Number.isFinite(value)) throw new InvalidMeasurementInputError(field, `must be a finite number, got ${value}`);
}

function checkNonNegative(field: string, value: number): number {
  if (!(value >= 0) || !Number.isFinite(value)) throw new InvalidMeasurementInputError(field, `must be a non-negative number, got ${value}`);
  return value;
}

function checkConfidence(field: string, value: number): number {
  if (!(value > 0 && value < 1)) throw new InvalidMeasurementInputError(field, `must be between 0 and 1 exclusive (e.g. 0.95), got ${value}`);
  return value;
}

function checkDegreesOfFreedom(df: number): void {
  if (!(df > 0)) throw new InvalidMeasurementInputError('df', `degrees of freedom must be positive, got ${df}`);
}
