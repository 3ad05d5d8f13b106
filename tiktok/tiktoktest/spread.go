package tiktoktest

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Spread is how the orders' create times are distributed over the Days
// before Now.
type Spread int

const (
	// Uniform spreads the orders evenly over the days (the default).
	Uniform Spread = iota
	// Skewed is a shop that grew over the range and had sale days: the
	// daily volume grows twentyfold from the first day to the last
	// (exponentially), SpikeDays days (chosen from the seed in the later
	// four fifths of the range) hold seven times the volume of the days
	// around them, and each spike day opens with a flash sale: BurstShare
	// of all orders created in its first second. Times stay ascending with
	// the order's index, so Orders() is still by create time.
	Skewed
)

// Shape of the Skewed spread.
const (
	SpikeDays  = 3
	SpikeScale = 7    // a spike day holds this many ordinary days' volume
	BurstShare = 0.01 // of all orders, in the first second of each spike day
	growth     = 3.0  // e^3 ≈ 20: the last day's volume over the first's
)

// curve maps a uniform quantile u in [0, 1) to a second offset in
// [0, span): the inverse of the Skewed spread's distribution function,
// piecewise linear over hours, with the bursts as point masses.
type curve struct {
	cum  []float64 // cumulative weight at the start of each segment
	segs []segment
}

type segment struct {
	from, to int64 // seconds from the range's start; from == to: a point mass
	weight   float64
}

func newCurve(seed int64, days int) *curve {
	r := rand.New(rand.NewPCG(uint64(seed), 0x5b1ce))
	spikes := map[int]bool{}
	lo := days / 5
	for len(spikes) < min(SpikeDays, days-lo) {
		spikes[lo+r.IntN(days-lo)] = true
	}
	var segs []segment
	var cont float64
	hours := days * 24
	for h := 0; h < hours; h++ {
		w := math.Exp(growth * (float64(h) + 0.5) / float64(hours))
		if spikes[h/24] {
			w *= SpikeScale
		}
		segs = append(segs, segment{from: int64(h) * 3600, to: int64(h+1) * 3600, weight: w})
		cont += w
	}
	// Each burst holds BurstShare of everything, bursts included.
	burst := cont * BurstShare / (1 - BurstShare*float64(len(spikes)))
	days0 := make([]int, 0, len(spikes))
	for d := range spikes {
		days0 = append(days0, d)
	}
	sort.Ints(days0)
	for _, d := range days0 {
		at := int64(d) * 86400
		// Before the day's first hour: ascending order is kept.
		i := sort.Search(len(segs), func(i int) bool { return segs[i].from >= at })
		segs = append(segs[:i], append([]segment{{from: at, to: at, weight: burst}}, segs[i:]...)...)
	}
	c := &curve{segs: segs, cum: make([]float64, len(segs)+1)}
	for i, s := range segs {
		c.cum[i+1] = c.cum[i] + s.weight
	}
	return c
}

// at returns the second offset of quantile u.
func (c *curve) at(u float64) int64 {
	x := u * c.cum[len(c.cum)-1]
	i := sort.SearchFloat64s(c.cum[1:], x) // first segment whose end passes x
	if i >= len(c.segs) {
		i = len(c.segs) - 1
	}
	s := c.segs[i]
	if s.from == s.to {
		return s.from
	}
	f := (x - c.cum[i]) / s.weight
	return s.from + int64(f*float64(s.to-s.from))
}
