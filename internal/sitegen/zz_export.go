package sitegen

import "math/rand/v2"

func ZZBlocks(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, codeBlock(r))
	}
	return out
}
