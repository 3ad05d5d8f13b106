package connector

import (
	"context"
	"sync"
	"time"
)

// doneSet knows which of the pipelines a helper may help with are done
// (every stream fresh), from one SuccessLister read per sink now and then
// (see SuccessLister). A pipeline it does not know as done is looked at
// stream by stream, as without it; a fresh stream stays fresh for the rest
// of the run, so a pipeline once known done is never read again.
type doneSet struct {
	every time.Duration
	fresh func(now, last time.Time, lastMode Mode) bool

	mu    sync.Mutex
	sinks map[SuccessLister]*doneSink
}

// doneSink is the part of a doneSet of the pipelines of one sink.
type doneSink struct {
	read    time.Time           // when last read (this host's clock), zero before
	streams map[string][]string // pipeline → its streams, for those not known done
	done    map[string]bool
}

// newDoneSet returns the doneSet of the pipelines ps (nil when none of
// their sinks is a SuccessLister).
func (r *Runner) newDoneSet(ps []Pipeline) *doneSet {
	every := r.WatchEvery
	if every <= 0 {
		every = 500 * time.Millisecond
	}
	d, mode := r.FreshWithin, r.mode()
	ds := &doneSet{every: every, sinks: map[SuccessLister]*doneSink{},
		fresh: func(now, last time.Time, lastMode Mode) bool { return fresh(now, last, lastMode, d, mode) }}
	for _, p := range ps {
		sl, ok := p.Sink.(SuccessLister)
		if !ok || p.Source == nil {
			continue
		}
		s := ds.sinks[sl]
		if s == nil {
			s = &doneSink{streams: map[string][]string{}, done: map[string]bool{}}
			ds.sinks[sl] = s
		}
		var names []string
		_ = r.safely(p.Name, "", "streams", func() error {
			for _, st := range p.Source.Streams() {
				names = append(names, st.Name())
			}
			return nil
		})
		if len(names) > 0 {
			s.streams[p.Name] = names
		}
	}
	if len(ds.sinks) == 0 {
		return nil
	}
	return ds
}

// stale makes the next isDone read the last successes again whatever the
// time of the last read: an owner just finished its shard, so what was read
// before is out of date.
func (ds *doneSet) stale() {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	for _, s := range ds.sinks {
		s.read = time.Time{}
	}
}

// isDone reports whether every stream of p is known fresh, reading the
// last successes of the pipelines not known done yet when the last read is
// older than every.
func (ds *doneSet) isDone(ctx context.Context, p Pipeline) bool {
	sl, ok := p.Sink.(SuccessLister)
	if !ok {
		return false
	}
	ds.mu.Lock()
	defer ds.mu.Unlock()
	s := ds.sinks[sl]
	if s == nil {
		return false
	}
	if s.done[p.Name] {
		return true
	}
	if _, ok := s.streams[p.Name]; !ok || time.Since(s.read) < ds.every {
		return false
	}
	s.read = time.Now()
	names := make([]string, 0, len(s.streams))
	for name := range s.streams {
		names = append(names, name)
	}
	now, last, err := sl.LastSuccesses(ctx, names)
	if err != nil {
		return false // each stream is looked at
	}
	freshStreams := map[string]map[string]bool{}
	for _, l := range last {
		if ds.fresh(now, l.At, l.Mode) {
			if freshStreams[l.Pipeline] == nil {
				freshStreams[l.Pipeline] = map[string]bool{}
			}
			freshStreams[l.Pipeline][l.Stream] = true
		}
	}
	for name, streams := range s.streams {
		all := true
		for _, st := range streams {
			all = all && freshStreams[name][st]
		}
		if all {
			s.done[name] = true
			delete(s.streams, name)
		}
	}
	return s.done[p.Name]
}
