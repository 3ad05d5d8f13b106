// Package deploy holds the packaging of the sync job — the Dockerfile's
// build script (build-steps.sh), the Airflow DAGs (airflow/) and the
// Kubernetes CronJobs (k8s/) — and the tests that check them without
// Docker, Airflow or a cluster. Inspect reads a Dockerfile's stages.
package deploy

import (
	"bufio"
	"os"
	"strings"
)

// Stage is one FROM stage of a Dockerfile.
type Stage struct {
	// Base is the image the stage starts from, Name its AS name.
	Base, Name string
	// User is the last USER of the stage ("" when none).
	User string
	// Run lists the RUN commands in order.
	Run []string
}

// Inspect returns the stages of the Dockerfile at path (one-line
// instructions only, which is all ours uses).
func Inspect(path string) ([]Stage, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var stages []Stage
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		instr, rest, _ := strings.Cut(line, " ")
		switch strings.ToUpper(instr) {
		case "FROM":
			f := strings.Fields(rest)
			st := Stage{Base: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.Name = f[2]
			}
			stages = append(stages, st)
		case "USER":
			if len(stages) > 0 {
				stages[len(stages)-1].User = strings.TrimSpace(rest)
			}
		case "RUN":
			if len(stages) > 0 {
				stages[len(stages)-1].Run = append(stages[len(stages)-1].Run, strings.TrimSpace(rest))
			}
		}
	}
	return stages, sc.Err()
}
