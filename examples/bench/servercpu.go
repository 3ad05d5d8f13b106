package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// The CPU time of a PostgreSQL server on this machine spent for the
// bench's database: the sum of the user and system time of its client
// backends, read from /proc. Wall time on a busy machine says little; CPU
// time per row does not depend on what else runs, and a server sink does
// most of its work in the server, where the loader's own CPU time does
// not see it.

// clockTicks is Linux's USER_HZ, the unit of /proc/PID/stat's times.
const clockTicks = 100

// serverCPU returns the CPU time of every client backend connected to the
// current database of db, by process id, or nil when the server's
// processes cannot be read (another machine, another OS, no permission).
func serverCPU(ctx context.Context, db *sql.DB) map[int]time.Duration {
	rows, err := db.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`)
	if err != nil {
		return nil
	}
	defer rows.Close()
	out := map[int]time.Duration{}
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			return nil
		}
		d, err := procCPU(pid)
		if err != nil {
			return nil
		}
		out[pid] = d
	}
	if rows.Err() != nil {
		return nil
	}
	return out
}

// procCPU is the user + system time of process pid.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces:
	// the fields counted start after its closing one.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: bad times", pid)
	}
	return time.Duration(u+st) * time.Second / clockTicks, nil
}

// serverCPUSince is the CPU time the backends of db spent since before
// (a serverCPU snapshot; a backend started since counts from zero), and
// whether it could be measured.
func serverCPUSince(ctx context.Context, db *sql.DB, before map[int]time.Duration) (time.Duration, bool) {
	if before == nil {
		return 0, false
	}
	now := serverCPU(ctx, db)
	if now == nil {
		return 0, false
	}
	var d time.Duration
	for pid, c := range now {
		d += c - before[pid]
	}
	return d, true
}
