package postgres

import "sync/atomic"

// DefaultMaxConns is the pool size of a Sink when neither its Config nor its
// DSN (pool_max_conns) names one.
const DefaultMaxConns = 8

// poolShare is the worker count given to SharePool.
var poolShare atomic.Int32

// SharePool makes every Sink opened from now on whose Config and DSN name no
// pool size take 1/workers of DefaultMaxConns, at least 2: with the accounts
// split over that many worker processes on one warehouse (connector.Shard),
// together they open about as many connections as one worker would. Every
// connection costs the server a backend of its own, whose catalog caches,
// prepared statements and temporary tables are made again, so W workers of
// DefaultMaxConns each made PostgreSQL slower than one worker alone (see
// "Scale-out" in docs/operations.md). Sinks already open keep their pool.
func SharePool(workers int) {
	poolShare.Store(int32(max(workers, 1)))
}

// sharedMaxConns is the pool size of a Sink that names none.
func sharedMaxConns() int32 {
	n := max(poolShare.Load(), 1)
	return max(DefaultMaxConns/n, 2)
}
