package sitegen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// codeBlock returns a fenced code block of 12–25 lines in one of several
// languages. Identifiers and numbers vary with r, so blocks differ between
// posts (as real ones do) and the highlighting cache is not flattered.
func codeBlock(r *rand.Rand) string {
	name := pick(r, nouns[:]) + "_" + pick(r, nouns[:])
	name = strings.ReplaceAll(name, "-", "_")
	a, b, c := r.IntN(400)+20, r.IntN(90)+5, r.IntN(7)+2
	var lang, code string
	switch r.IntN(6) {
	case 0:
		lang = "go"
		code = fmt.Sprintf(`package main

import (
	"fmt"
	"math"
)

// %[1]sLimit is the largest value we accept before a rerun.
const %[1]sLimit = %[2]d

func %[1]s(samples []float64) (mean, sd float64) {
	for _, s := range samples {
		mean += s
	}
	mean /= float64(len(samples))
	for _, s := range samples {
		sd += (s - mean) * (s - mean)
	}
	return mean, math.Sqrt(sd / float64(len(samples)-1))
}

func main() {
	m, s := %[1]s([]float64{%[2]d, %[3]d, %[4]d, %[3]d.5})
	fmt.Printf("mean %%.2f sd %%.2f (limit %%d)\n", m, s, %[1]sLimit)
}
`, camel(name), a, b, c)
	case 1:
		lang = "python"
		code = fmt.Sprintf(`import statistics


def %[1]s(rows, limit=%[2]d):
    """Return the rows whose value exceeds limit, worst first."""
    bad = [r for r in rows if r["value"] > limit]
    return sorted(bad, key=lambda r: r["value"], reverse=True)


readings = [{"lot": n, "value": n * %[3]d %% %[2]d} for n in range(%[4]d, %[2]d)]
worst = %[1]s(readings)
print(len(worst), "of", len(readings), "above limit")
print("median", statistics.median(r["value"] for r in readings))
for row in worst[:%[4]d]:
    print(f"  lot {row['lot']:>4}  {row['value']:6.1f}")
`, name, a, b, c)
	case 2:
		lang = "yaml"
		code = fmt.Sprintf(`# %[1]s: settings for the chamber run
profile:
  name: %[1]s
  ramp_c_per_s: %[4]d.%[3]d
  soak:
    from_c: 150
    to_c: %[2]d
    seconds: %[3]d
  peak_c: 245
  time_above_liquidus_s: %[3]d
samples:
  per_lot: %[4]d
  lots: [A%[2]d, B%[3]d, C%[4]d]
report:
  format: csv
  columns: [lot, board, location, value]
`, name, a, b, c)
	case 3:
		lang = "bash"
		code = fmt.Sprintf(`#!/bin/sh
# Collect the %[1]s logs of the last %[4]d runs and summarise them.
set -eu
out=summary-%[1]s.csv
echo "run,count,max" > "$out"
for run in $(ls -1 runs | tail -n %[4]d); do
  count=$(wc -l < "runs/$run/%[1]s.log")
  max=$(sort -n "runs/$run/%[1]s.log" | tail -n 1)
  echo "$run,$count,$max" >> "$out"
done
awk -F, 'NR > 1 && $3 > %[2]d { print "over limit:", $1 }' "$out"
echo "wrote $out"
`, name, a, b, c)
	case 4:
		lang = "sql"
		code = fmt.Sprintf(`-- %[1]s by lot, worst first
SELECT lot,
       count(*)            AS boards,
       avg(value)          AS mean_value,
       max(value)          AS worst,
       sum(value > %[2]d)    AS over_limit
FROM measurements
WHERE test = '%[1]s'
  AND measured_at > now() - interval '%[3]d days'
GROUP BY lot
HAVING count(*) >= %[4]d
ORDER BY worst DESC
LIMIT 20;
`, name, a, b, c)
	default:
		lang = "c"
		code = fmt.Sprintf(`#include <stdio.h>

/* %[1]s: moving average over a window of %[4]d samples. */
static double %[1]s(const double *v, int n)
{
	double sum = 0;
	int i;

	for (i = 0; i < n && i < %[4]d; i++)
		sum += v[i];
	return i ? sum / i : 0;
}

int main(void)
{
	double v[] = { %[2]d.0, %[3]d.5, %[4]d.25, %[2]d.75 };

	printf("%%.3f\n", %[1]s(v, 4));
	return 0;
}
`, name, a, b, c)
	}
	return "```" + lang + "\n" + code + "```\n"
}

// CodeBlocks returns n fenced code blocks as the posts of a corpus have
// them (the same mix of languages and sizes), for benchmarks of the
// highlighter.
func CodeBlocks(n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]string, n)
	for i := range out {
		out[i] = codeBlock(r)
	}
	return out
}

// camel turns snake_case into camelCase.
func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
