package settings

import (
	"errors"
	"fmt"
	"strings"
)

// Problem is one setting that is not valid. Its message names the setting by its jsonData
// path (e.g. logs.extraction.traceIdRegex) and never quotes a secret.
type Problem struct {
	// Store is the store the setting belongs to (StoreMetrics, StoreLogs, StoreTraces),
	// or "" when it is not one store's (the latency section, jsonData as a whole).
	Store string
	// Setting is the jsonData path of the setting; "jsonData" for the whole document.
	Setting string
	err     error
}

func problem(store, setting, format string, args ...any) *Problem {
	return &Problem{Store: store, Setting: setting, err: fmt.Errorf(format, args...)}
}

func (p *Problem) Error() string { return "settings: " + p.err.Error() }

// Unwrap gives the cause (e.g. a regexp error).
func (p *Problem) Unwrap() error { return p.err }

// DataSource reports whether the problem concerns the whole data source, so that
// nothing can be answered until it is fixed.
func (p *Problem) DataSource() bool { return p.Setting == "jsonData" }

// Problems is every invalid setting Parse found. Each part of the data source asks for
// the problems that concern it (Store, Settings, DataSource) and works when it has none.
type Problems []*Problem

func (ps *Problems) add(store, setting, format string, args ...any) {
	*ps = append(*ps, problem(store, setting, format, args...))
}

func (ps *Problems) addErr(store, setting string, err error) {
	*ps = append(*ps, &Problem{Store: store, Setting: setting, err: err})
}

// Error lists every problem on one line, each once (a problem that concerns two
// stores is listed for each).
func (ps Problems) Error() string {
	var msgs []string
	seen := map[string]bool{}
	for _, p := range ps {
		if m := p.Error(); !seen[m] {
			seen[m] = true
			msgs = append(msgs, m)
		}
	}
	return strings.Join(msgs, "; ")
}

// Unwrap lets errors.As find each *Problem.
func (ps Problems) Unwrap() []error {
	out := make([]error, len(ps))
	for i, p := range ps {
		out[i] = p
	}
	return out
}

// ProblemsOf returns the problems in err (an error Parse returned), nil when none.
func ProblemsOf(err error) Problems {
	var ps Problems
	if errors.As(err, &ps) {
		return ps
	}
	return nil
}

// Store returns the problems of one store's settings (nil when it has none).
func (ps Problems) Store(name string) error {
	return ps.where(func(p *Problem) bool { return p.Store == name })
}

// Settings returns the problems of the named settings (nil when none). A name is a
// jsonData path; a problem matches it when either path contains the other, so "latency"
// gives every problem of that section, and "latency.serviceLabel" also gives a problem
// of the section as a whole.
func (ps Problems) Settings(names ...string) error {
	within := func(inner, outer string) bool { return inner == outer || strings.HasPrefix(inner, outer+".") }
	return ps.where(func(p *Problem) bool {
		for _, n := range names {
			if within(p.Setting, n) || within(n, p.Setting) {
				return true
			}
		}
		return false
	})
}

// DataSource returns the problems that concern the whole data source (nil when none).
func (ps Problems) DataSource() error {
	return ps.where((*Problem).DataSource)
}

func (ps Problems) where(keep func(*Problem) bool) error {
	var out Problems
	for _, p := range ps {
		if keep(p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil
	}
	if len(out) == 1 {
		return out[0]
	}
	return out
}
