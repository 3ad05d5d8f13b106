// Package envfile loads the settings file of the example commands: .env
// in the working directory, else examples/.env (where examples/.env.example
// says to copy it, and where examples/docker-compose.yml reads it). Only
// the first file found is read; variables already set in the environment
// win over the file's.
package envfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/joho/godotenv"
)

// Candidates are the files Load looks for, in order.
var Candidates = []string{".env", "examples/.env"}

// Load reads the first of Candidates that exists into the environment and
// returns its path ("" when none exists). A file that exists but cannot be
// read or parsed is an error naming it.
func Load() (string, error) {
	for _, p := range Candidates {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := godotenv.Load(p); err != nil {
			return p, fmt.Errorf("%s: %w", p, err)
		}
		return p, nil
	}
	return "", nil
}
