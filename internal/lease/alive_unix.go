//go:build unix

package lease

import (
	"errors"
	"syscall"
)

// ProcessAlive reports whether a process with this pid exists on this host
// (signal 0: no signal is sent). A process of another user counts as alive.
func ProcessAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
