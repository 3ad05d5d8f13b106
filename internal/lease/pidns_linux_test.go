package lease

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A container with the same host name as this one (a fixed hostname in a
// Compose file or a pod spec) has its own pid namespace; its holder's pid
// says nothing about processes here (both are often pid 1). Its live lease
// is not taken over because a pid looks dead, or looks like this very
// process, here.
func TestAnotherPidNamespaceIsAnotherHost(t *testing.T) {
	if os.Getenv("LEASE_PRINT_HOST") == "1" {
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPrintHost$")
	cmd.Env = append(os.Environ(), "LEASE_PRINT_HOST=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("cannot start a process in a new pid namespace here (needs CAP_SYS_ADMIN): %v", err)
	}
	var other string
	for _, line := range strings.Split(string(out), "\n") {
		if h, ok := strings.CutPrefix(line, "HOST="); ok {
			other = h
		}
	}
	name, _ := os.Hostname()
	if !strings.HasPrefix(other, name) {
		t.Fatalf("the child's host %q does not start with this host name %q", other, name)
	}
	if other == ThisHost() {
		t.Fatalf("a process in another pid namespace has the same host identity %q", other)
	}
	now := time.Now()
	o := &Options{}
	o.defaults()
	for _, r := range []Row{
		{Holder: "container", ExpiresAt: now.Add(time.Minute), Host: other, PID: o.PID},   // its pid is this process's
		{Holder: "container", ExpiresAt: now.Add(time.Minute), Host: other, PID: 1 << 22}, // its pid is unused here
	} {
		if can, why := takeover(r, now, o); can {
			t.Errorf("the live lease of a process in another pid namespace (pid %d) is taken over: %s", r.PID, why)
		}
	}
}

// TestPrintHost prints ThisHost for TestAnotherPidNamespaceIsAnotherHost.
func TestPrintHost(t *testing.T) {
	if os.Getenv("LEASE_PRINT_HOST") != "1" {
		t.Skip("helper of TestAnotherPidNamespaceIsAnotherHost")
	}
	os.Stdout.WriteString("\nHOST=" + ThisHost() + "\n")
}
