import {
  compareMeans,
  compareProportions,
  InvalidMeasurementInputError,
  logGamma,
  minimumSampleSize,
  normalCdf,
  normalQuantile,
  regularizedIncompleteBeta,
  studentTCdf,
  studentTQuantile,
  summarise,
  summaryFromSums,
  type MeanComparison,
  type NotEnoughData,
  type ProportionComparison,
} from '../../lib/core/measurement/stats';

// Every reference value below comes from a published table or example, a closed form, or hand
// arithmetic shown next to it. None was produced by the code under test.

function compared<T extends { status: string }>(result: T | NotEnoughData): T {
  if (result.status !== 'compared') throw new Error(`expected a comparison, got ${JSON.stringify(result)}`);
  return result as T;
}

function thrown(act: () => unknown): InvalidMeasurementInputError {
  try {
    act();
  } catch (error) {
    if (error instanceof InvalidMeasurementInputError) return error;
    throw error;
  }
  throw new Error('expected an InvalidMeasurementInputError');
}

describe('normalQuantile', () => {
  it.each([
    // Wikipedia "Normal distribution", table of z_p for two-sided confidence p (quantile (1+p)/2),
    // 12 decimals; 0.975 also Wikipedia "1.96" (1.959963984540054).
    [0.975, 1.959963984540054],
    [0.95, 1.644853626951],
    [0.9, 1.281551565545],
    [0.99, 2.326347874041],
    [0.995, 2.575829303549],
    [0.9995, 3.290526731492],
    // Symmetry: Φ⁻¹(1 - p) = -Φ⁻¹(p), and Φ⁻¹(1/2) = 0.
    [0.025, -1.959963984540054],
    [0.5, 0],
  ])('Φ⁻¹(%p) = %p', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 11);
  });

  it('inverts normalCdf deep in the tail', () => {
    // Round trip only (no table): the Halley step must keep relative precision at 1e-20.
    expect(normalCdf(normalQuantile(1e-20)) / 1e-20).toBeCloseTo(1, 12);
  });

  it('is infinite at 0 and 1 and rejects non-probabilities', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(thrown(() => normalQuantile(1.5)).field).toBe('p');
  });
});

describe('normalCdf', () => {
  it.each([
    // Wikipedia "68–95–99.7 rule", table: Φ(k) - Φ(-k) = erf(k/√2).
    [1, 0.682689492137086],
    [2, 0.954499736103642],
    [3, 0.99730020393674],
  ])('Φ(%p) - Φ(-%p) matches the 68–95–99.7 table', (k, mass) => {
    expect(normalCdf(k) - normalCdf(-k)).toBeCloseTo(mass, 14);
  });

  it('keeps relative precision in the lower tail', () => {
    // Φ(-8) = erfc(8/√2)/2 = 6.2209605742717841e-16 (mpmath 1.3, 30 digits: mp.erfc(8/mp.sqrt(2))/2).
    expect(normalCdf(-8) / 6.2209605742717841e-16).toBeCloseTo(1, 13);
  });

  it('is 1/2 at 0 and 0 or 1 far out', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
  });
});

describe('Student t', () => {
  it.each([
    // NIST/SEMATECH e-Handbook of Statistical Methods, 1.3.6.7.2 "Critical values of the Student's t
    // distribution" (3 decimals): column 0.975 (two-sided 0.05) and 0.995.
    [0.975, 1, 12.706],
    [0.975, 2, 4.303],
    [0.975, 5, 2.571],
    [0.975, 10, 2.228],
    [0.975, 30, 2.042],
    [0.975, 100, 1.984],
    [0.995, 10, 3.169],
  ])('t(%p, %p) = %p as in the NIST table', (p, df, t) => {
    expect(studentTQuantile(p, df)).toBeCloseTo(t, 3);
  });

  it('matches t(0.975, 10) = 2.228138852 to nine decimals', () => {
    // R qt(0.975, 10) printed with digits = 10: 2.228138852.
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228138852, 9);
    expect(studentTCdf(2.228138852, 10)).toBeCloseTo(0.975, 10);
  });

  it('matches the closed forms for 1 and 2 degrees of freedom', () => {
    // df = 1 is Cauchy: F(t) = 1/2 + atan(t)/π, so F(1) = 1/2 + (π/4)/π = 0.75 and
    // t(0.975) = tan(0.475π) = 12.706204736174707.
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 15);
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706204736174707, 11);
    // df = 2: F(t) = 1/2 + t / (2√(2 + t²)), so F(1) = 1/2 + 1/(2√3) = 0.5 + 0.288675134594813
    // and t(p) = (2p - 1)/√(2p(1 - p)) = 0.95/√0.04875 = 0.95/0.220794021658196 = 4.302652729749464.
    expect(studentTCdf(1, 2)).toBeCloseTo(0.788675134594813, 14);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.302652729749464, 12);
  });

  it('solves the quantile on the general path too (3 and fractional df round-trip)', () => {
    for (const df of [3, 4.5, 17.776, 1e5]) {
      for (const p of [0.6, 0.975, 0.9999]) expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 12);
    }
    expect(studentTQuantile(0.025, 10)).toBeCloseTo(-2.228138852, 9); // symmetry
  });

  it('rejects non-positive degrees of freedom', () => {
    expect(thrown(() => studentTCdf(1, 0)).field).toBe('df');
  });
});

describe('logGamma and regularizedIncompleteBeta', () => {
  it.each([
    [1, 0], // Γ(1) = 0! = 1
    [2, 0], // Γ(2) = 1! = 1
    [0.5, 0.5723649429247001], // Γ(1/2) = √π, ln √π = ln(3.141592653589793)/2 = 0.5723649429247001
    [10, 12.801827480081469], // Γ(10) = 9! = 362880, ln 362880 = 12.801827480081469
  ])('ln Γ(%p) = %p', (x, value) => {
    expect(logGamma(x)).toBeCloseTo(value, 13);
  });

  it('agrees with a sum of logarithms for ln Γ(171) = ln 170!', () => {
    const expected = Array.from({ length: 170 }, (_, k) => Math.log(k + 1)).reduce((a, b) => a + b, 0); // 706.5730622457874
    expect(logGamma(171) / expected).toBeCloseTo(1, 14);
  });

  it.each([
    // Closed forms: I_x(a, 1) = x^a; I_x(1, b) = 1 - (1 - x)^b; I_x(2, 2) = 3x² - 2x³; I_½(a, a) = ½.
    [0.3, 4, 1, 0.3 ** 4],
    [0.3, 1, 7, 1 - 0.7 ** 7],
    [0.3, 2, 2, 0.216], // 3(0.09) - 2(0.027) = 0.27 - 0.054
    [0.5, 40.5, 40.5, 0.5],
    [0.99, 1, 200, 1 - 0.01 ** 200],
  ])('I_%p(%p, %p) = %p', (x, a, b, value) => {
    expect(regularizedIncompleteBeta(x, a, b)).toBeCloseTo(value, 12);
  });
});

describe('compareProportions', () => {
  it('computes the two-proportion z-test, Wald interval and log-ratio lift interval', () => {
    // Prepare: 120/1000 against 100/1000. By hand:
    //   pooled p = 220/2000 = 0.11; pooled SE = √(0.11 × 0.89 × (1/1000 + 1/1000)) = √0.0001958 = 0.0139928553
    //   z = 0.02 / 0.0139928553 = 1.4293008498; p = 2(1 - Φ(1.4293)) = 0.1529178 (normal table Φ(1.43) = 0.9236,
    //   2 × 0.0764 = 0.153). This is the test of R's prop.test(correct = FALSE), whose X-squared is z² = 2.0429.
    //   Wald SE = √(0.12 × 0.88/1000 + 0.10 × 0.90/1000) = √0.0001956 = 0.0139857070
    //   interval = 0.02 ± 1.959963985 × 0.0139857070 = 0.02 ± 0.0274114820 = [-0.0074114820, 0.0474114820]
    //   lift = 0.02/0.10 = 0.2; SE of ln(p1/p2) = √(0.88/120 + 0.90/100) = √0.0163333 = 0.1278019301
    //   interval = 1.2 × exp(±1.959963985 × 0.1278019301) - 1 = 1.2 × exp(±0.2504871801) - 1
    //            = 1.2 × 1.2846511207 - 1, 1.2 / 1.2846511207 - 1 = [-0.0658942489, 0.5415813449]

    // Act
    const result = compared<ProportionComparison>(compareProportions({ conversions: 120, exposed: 1000 }, { conversions: 100, exposed: 1000 }));

    // Assess
    expect(result.treatment.rate).toBe(0.12);
    expect(result.control.rate).toBe(0.1);
    expect(result.z).toBeCloseTo(1.4293008498, 9);
    expect(result.pValue).toBeCloseTo(0.1529178, 7);
    expect(result.significant).toBe(false);
    expect(result.difference.estimate).toBeCloseTo(0.02, 15);
    expect(result.difference.interval?.lower).toBeCloseTo(-0.007411482, 9);
    expect(result.difference.interval?.upper).toBeCloseTo(0.047411482, 9);
    expect(result.relativeLift?.estimate).toBeCloseTo(0.2, 15);
    expect(result.relativeLift?.interval?.lower).toBeCloseTo(-0.0658942489, 9);
    expect(result.relativeLift?.interval?.upper).toBeCloseTo(0.5415813449, 9);
  });

  it('flags a significant lift', () => {
    // By hand: 150/1000 against 100/1000, pooled p = 250/2000 = 0.125,
    // SE = √(0.125 × 0.875 × 0.002) = √0.00021875 = 0.0147901995; z = 0.05/0.0147901995 = 3.3806170;
    // p = 2(1 - Φ(3.3806)) = 0.000723 (normal table: Φ(3.38) = 0.99964, 2 × 0.00036 = 0.00072).
    const result = compared<ProportionComparison>(compareProportions({ conversions: 150, exposed: 1000 }, { conversions: 100, exposed: 1000 }));

    expect(result.z).toBeCloseTo(3.380617, 6);
    expect(result.pValue).toBeCloseTo(0.000723, 6);
    expect(result.significant).toBe(true);
    expect(result.relativeLift?.estimate).toBeCloseTo(0.5, 15);
  });

  it('widens the interval with the confidence option', () => {
    // 99 %: half-width = Φ⁻¹(0.995) × Wald SE = 2.575829304 × 0.0139857070 = 0.0360248...
    const result = compared<ProportionComparison>(compareProportions({ conversions: 120, exposed: 1000 }, { conversions: 100, exposed: 1000 }, { confidence: 0.99 }));

    expect(result.confidence).toBe(0.99);
    expect(result.difference.interval?.upper).toBeCloseTo(0.02 + 2.575829304 * 0.013985707, 8);
  });

  it('gives z = 0 and p = 1 for identical groups', () => {
    const result = compared<ProportionComparison>(compareProportions({ conversions: 100, exposed: 1000 }, { conversions: 100, exposed: 1000 }));

    expect(result).toMatchObject({ z: 0, pValue: 1, significant: false, difference: { estimate: 0 }, relativeLift: { estimate: 0 } });
  });

  it('reports zero conversions in both groups as insufficient data, and as p = 1 when the rule is switched off', () => {
    const none = { conversions: 0, exposed: 1000 };

    const byDefault = compareProportions(none, none);
    const ruleOff = compared<ProportionComparison>(compareProportions(none, none, { minimumExpectedCount: 0 }));

    expect(byDefault).toEqual({ status: 'insufficient_data', reason: expect.stringContaining('expected conversions') });
    expect(ruleOff).toMatchObject({ z: 0, pValue: 1, significant: false, difference: { estimate: 0, interval: { lower: 0, upper: 0 } } });
    expect(ruleOff.relativeLift).toBeUndefined(); // the control rate is 0: no lift to speak of
  });

  it('gives p = 1 when everyone converts in both groups', () => {
    const all = { conversions: 500, exposed: 500 };

    expect(compareProportions(all, all, { minimumExpectedCount: 0 })).toMatchObject({ z: 0, pValue: 1 });
  });

  it('leaves the lift interval out when the treatment has no conversions', () => {
    const result = compared<ProportionComparison>(compareProportions({ conversions: 0, exposed: 1000 }, { conversions: 20, exposed: 1000 }));

    expect(result.relativeLift).toEqual({ estimate: -1 });
  });

  it.each([
    // treatment, control, needed per group
    // Fewer than 30 exposed: the pooled rate 5/20 = 0.25 needs 5/0.25 = 20, so the 30 floor wins.
    [{ conversions: 3, exposed: 10 }, { conversions: 2, exposed: 10 }, 30],
    // 40 exposed each but pooled rate 4/80 = 0.05: 40 × 0.05 = 2 expected conversions < 5; 5/0.05 = 100.
    [{ conversions: 2, exposed: 40 }, { conversions: 2, exposed: 40 }, 100],
    // Rare non-conversions are the rarer outcome: pooled 78/80 = 0.975, 40 × 0.025 = 1 < 5; 5/0.025 = 200.
    [{ conversions: 39, exposed: 40 }, { conversions: 39, exposed: 40 }, 200],
  ])('returns insufficient_data for %j against %j (needs %i per group)', (treatment, control, perGroup) => {
    const result = compareProportions(treatment, control);

    expect(result.status).toBe('insufficient_data');
    expect((result as NotEnoughData).needed?.perGroup).toBeCloseTo(perGroup, 6);
  });

  it('honours lower thresholds', () => {
    expect(compareProportions({ conversions: 3, exposed: 10 }, { conversions: 2, exposed: 10 }, { minimumPerGroup: 10, minimumExpectedCount: 2 }).status).toBe('compared');
  });

  it.each([
    [{ conversions: 120, exposed: 100 }, { conversions: 10, exposed: 100 }, 'treatment.conversions', /cannot exceed treatment.exposed \(120 > 100\)/],
    [{ conversions: 10, exposed: 100 }, { conversions: 0, exposed: -5 }, 'control.exposed', /non-negative integer, got -5/],
    [{ conversions: -1, exposed: 100 }, { conversions: 0, exposed: 100 }, 'treatment.conversions', /non-negative integer/],
    [{ conversions: 1.5, exposed: 100 }, { conversions: 0, exposed: 100 }, 'treatment.conversions', /integer, got 1.5/],
    [{ conversions: 1, exposed: Number.NaN }, { conversions: 0, exposed: 100 }, 'treatment.exposed', /got NaN/],
  ])('rejects %j against %j naming %s', (treatment, control, field, message) => {
    const error = thrown(() => compareProportions(treatment, control));

    expect(error.name).toBe('InvalidMeasurementInputError');
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('rejects a confidence outside (0, 1)', () => {
    expect(thrown(() => compareProportions({ conversions: 1, exposed: 100 }, { conversions: 1, exposed: 100 }, { confidence: 95 })).field).toBe('options.confidence');
  });
});

// R's `sleep` data set, the example in R's ?t.test: extra hours of sleep for the two drugs.
const SLEEP_DRUG_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_DRUG_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe('compareMeans', () => {
  it("reproduces R's Welch test on the sleep data", () => {
    // R: t.test(extra ~ group, data = sleep) prints "Welch Two Sample t-test ...
    //   t = -1.8608, df = 17.776, p-value = 0.07939 ... 95 percent confidence interval: -3.3654832 0.2054832
    //   mean in group 1 0.75, mean in group 2 2.33".
    const result = compared<MeanComparison>(compareMeans(SLEEP_DRUG_1, SLEEP_DRUG_2, { minimumPerGroup: 10 }));

    expect(result.treatment.mean).toBeCloseTo(0.75, 12);
    expect(result.control.mean).toBeCloseTo(2.33, 12);
    expect(result.t).toBeCloseTo(-1.8608, 4);
    expect(result.degreesOfFreedom).toBeCloseTo(17.776, 3);
    expect(result.pValue).toBeCloseTo(0.07939, 5);
    expect(result.difference.interval?.lower).toBeCloseTo(-3.3654832, 7);
    expect(result.difference.interval?.upper).toBeCloseTo(0.2054832, 7);
    expect(result.significant).toBe(false);
  });

  it("reproduces the first worked example of Wikipedia's Welch's t-test article", () => {
    // Wikipedia "Welch's t-test", Examples, first pair (equal sizes, unequal variances):
    // Welch t = -2.46, ν ≈ 25.0, p = 0.021.
    const a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];

    const result = compared<MeanComparison>(compareMeans(a1, a2, { minimumPerGroup: 15 }));

    expect(result.t).toBeCloseTo(-2.46, 2);
    expect(result.degreesOfFreedom).toBeCloseTo(25.0, 1);
    expect(result.pValue).toBeCloseTo(0.021, 3);
    expect(result.significant).toBe(true);
  });

  it('gives the same answer from running counters as from the values', () => {
    // Sleep drug 1 by hand: Σx = 7.5, Σx² = 0.49 + 2.56 + 0.04 + 1.44 + 0.01 + 11.56 + 13.69 + 0.64 + 0 + 4 = 34.43,
    // variance = (34.43 - 7.5²/10) / 9 = (34.43 - 5.625)/9 = 3.2005556.
    const fromSums = summaryFromSums(10, 7.5, 34.43);

    expect(fromSums.mean).toBeCloseTo(0.75, 14);
    expect(fromSums.variance).toBeCloseTo(3.2005556, 7);
    const fromCounters = compared<MeanComparison>(compareMeans(fromSums, summarise(SLEEP_DRUG_2), { minimumPerGroup: 10 }));
    const fromValues = compared<MeanComparison>(compareMeans(SLEEP_DRUG_1, SLEEP_DRUG_2, { minimumPerGroup: 10 }));
    expect(fromCounters.t).toBeCloseTo(fromValues.t, 12);
    expect(fromCounters.degreesOfFreedom).toBeCloseTo(fromValues.degreesOfFreedom, 12);
    expect(fromCounters.pValue).toBeCloseTo(fromValues.pValue, 12);
  });

  it('computes the relative lift of revenue per customer with a log-ratio interval', () => {
    // By hand: treatment mean 25, control 20 -> lift 0.25; variances (1e6 - 1e4 × 25)/399 = 1879.699 and
    // (8e5 - 8000 × 20)/399 = 1604.010; SE² of ln ratio = 1879.699/(400 × 625) + 1604.010/(400 × 400)
    // = 0.00751880 + 0.01002506 = 0.01754386, SE = 0.1324532; 1.25 × exp(±1.959964 × 0.1324532) - 1 = [-0.0358, 0.6205].
    const result = compared<MeanComparison>(compareMeans(summaryFromSums(400, 10_000, 1_000_000), summaryFromSums(400, 8_000, 800_000)));

    expect(result.relativeLift?.estimate).toBeCloseTo(0.25, 14);
    expect(result.relativeLift?.interval?.lower).toBeCloseTo(-0.0358, 4);
    expect(result.relativeLift?.interval?.upper).toBeCloseTo(0.6205, 4);
  });

  it('uses the other group alone when one group has no variance (df = n - 1)', () => {
    // Welch–Satterthwaite with s1 = 0: ν = s2⁴/(s2⁴/(n2 - 1)) = n2 - 1 = 29.
    const result = compared<MeanComparison>(compareMeans({ n: 30, mean: 0, variance: 0 }, { n: 30, mean: 1, variance: 4 }));

    expect(result.degreesOfFreedom).toBeCloseTo(29, 12);
    expect(result.relativeLift).toEqual({ estimate: -1 });
  });

  it('returns insufficient_data below 30 per group and for constant values', () => {
    const constant = Array.from({ length: 40 }, () => 10);

    expect(compareMeans(SLEEP_DRUG_1, SLEEP_DRUG_2)).toEqual({ status: 'insufficient_data', reason: expect.stringContaining('at least 30'), needed: { perGroup: 30 } });
    expect(compareMeans(constant, constant)).toEqual({ status: 'insufficient_data', reason: expect.stringContaining('no variance') });
  });

  it.each([
    [[1, 2, Number.NaN], 'treatment.values[2]'],
    [{ n: 40, mean: 1, variance: -1 }, 'treatment.variance'],
    [{ n: 2.5, mean: 1, variance: 1 }, 'treatment.n'],
  ])('rejects %p naming %s', (treatment, field) => {
    expect(thrown(() => compareMeans(treatment, SLEEP_DRUG_2)).field).toBe(field);
  });
});

describe('summarise and summaryFromSums', () => {
  it('computes the sample variance', () => {
    // Wikipedia "Standard deviation", basic example: 2, 4, 4, 4, 5, 5, 7, 9 has mean 5 and squared
    // deviations summing to 32, so the sample variance is 32/7 = 4.571428571428571.
    expect(summarise([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ n: 8, mean: 5, variance: expect.closeTo(32 / 7, 14) });
    // Σ = 40, Σx² = 4 + 16 × 3 + 25 × 2 + 49 + 81 = 232.
    expect(summaryFromSums(8, 40, 232)).toEqual({ n: 8, mean: 5, variance: expect.closeTo(32 / 7, 14) });
  });

  it('handles empty and single-value groups and clamps rounding', () => {
    expect(summarise([])).toEqual({ n: 0, mean: 0, variance: 0 });
    expect(summaryFromSums(1, 3, 9)).toEqual({ n: 1, mean: 3, variance: 0 });
    // Three values of 0.1 whose counters drifted: Σx² - Σ²/n = (0.03 - 1e-17) - 0.03 < 0 -> 0.
    expect(summaryFromSums(3, 0.3, 0.03 - 1e-17).variance).toBe(0);
  });

  it('rejects impossible counters', () => {
    expect(thrown(() => summaryFromSums(-1, 0, 0)).field).toBe('n');
    expect(thrown(() => summaryFromSums(3, 1, -2)).field).toBe('sumOfSquares');
  });
});

describe('minimumSampleSize', () => {
  it("matches R's power.prop.test documentation example", () => {
    // R ?power.prop.test: power.prop.test(p1 = .50, p2 = .75, power = .90)  # =>  n = 76.7, so 77 per group.
    // Here p2 = 0.5 × (1 + 0.5) = 0.75.
    expect(minimumSampleSize({ baselineRate: 0.5, minimumDetectableLift: 0.5, power: 0.9 })).toBe(77);
  });

  it('defaults to 80 % power and 95 % confidence', () => {
    // By hand: p1 = 0.10, p2 = 0.11, p̄ = 0.105; z(0.975) = 1.959963985, z(0.8) = 0.841621234.
    //   √(2 p̄ (1 - p̄)) = √0.18795 = 0.433532006; √(p1 q1 + p2 q2) = √(0.09 + 0.0979) = √0.1879 = 0.433474336
    //   n = (1.959963985 × 0.433532006 + 0.841621234 × 0.433474336)² / 0.01² = 1.214528323² / 0.0001 = 14750.79 -> 14751
    expect(minimumSampleSize({ baselineRate: 0.1, minimumDetectableLift: 0.1 })).toBe(14751);
  });

  it.each([
    [{ baselineRate: 0, minimumDetectableLift: 0.1 }, 'baselineRate'],
    [{ baselineRate: 0.6, minimumDetectableLift: 1 }, 'minimumDetectableLift'],
    [{ baselineRate: 0.1, minimumDetectableLift: 0 }, 'minimumDetectableLift'],
    [{ baselineRate: 0.1, minimumDetectableLift: 0.1, power: 1 }, 'power'],
  ])('rejects %j naming %s', (props, field) => {
    expect(thrown(() => minimumSampleSize(props)).field).toBe(field);
  });
});
