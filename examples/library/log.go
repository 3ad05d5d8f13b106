package main

import (
	"io"
	"log/slog"
)

// quiet keeps the runner's progress logs out of the example's output.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
