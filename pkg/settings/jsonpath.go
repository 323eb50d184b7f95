package settings

import (
	"encoding/json"
	"fmt"
	"strings"
)

// JSONPathStep is one step of a JSON extraction path's walk from a line's top: an
// object's member by name or, when the name is all digits and not quoted, an array's
// index.
type JSONPathStep struct {
	Name string
	// Index: written `[n]` (Name holds the digits); only an array's index.
	Index bool
	// Quoted: written `["name"]` or `['name']`; only an object's member.
	Quoted bool
}

// ParseJSONPath reads a JSON extraction path as pkg/stores/loki and the config editor's
// preview (jsonPath in src/datasource/extraction.ts) read it; rest is the path without
// the ASCII whitespace around it and a leading `$` (or `$.`), steps the walk it spells:
//   - a name (a run of characters other than `.`, `[` and `]`) is a member, or, when all
//     digits, also an array's index;
//   - `[n]` is an array's index;
//   - `["key"]` (a JSON string) and `['key']` (taken as written) are a member whose name
//     may hold `.`, `[` and `]` (OpenTelemetry's `attributes["trace.id"]`);
//   - other `.`, `[` and `]` only separate.
//
// A quoted key in brackets that is not closed by its quote and `]`, or a double-quoted
// one that is not a JSON string, is an error.
func ParseJSONPath(path string) (rest string, steps []JSONPathStep, err error) {
	p := strings.Trim(path, asciiSpace)
	if strings.HasPrefix(p, "$") {
		p = strings.TrimPrefix(p[1:], ".")
	}
	for i := 0; i < len(p); {
		switch p[i] {
		case '.', ']':
			i++
		case '[':
			j := i + 1
			for j < len(p) && p[j] >= '0' && p[j] <= '9' {
				j++
			}
			switch {
			case j > i+1 && j < len(p) && p[j] == ']':
				steps = append(steps, JSONPathStep{Name: p[i+1 : j], Index: true})
				i = j + 1
			case i+1 < len(p) && (p[i+1] == '"' || p[i+1] == '\''):
				name, end, err := quotedJSONKey(p, i)
				if err != nil {
					return p, nil, err
				}
				steps = append(steps, JSONPathStep{Name: name, Quoted: true})
				i = end
			default:
				i++
			}
		default:
			j := i
			for j < len(p) && p[j] != '.' && p[j] != '[' && p[j] != ']' {
				j++
			}
			steps = append(steps, JSONPathStep{Name: p[i:j]})
			i = j
		}
	}
	return p, steps, nil
}

// quotedJSONKey reads the quoted key in brackets opening at p[i] (`[`), its quote p[i+1]:
// a double-quoted key is a JSON string, a single-quoted one runs as written to the next
// `'`. end is the index past its `]`.
func quotedJSONKey(p string, i int) (name string, end int, err error) {
	quote := p[i+1]
	j := i + 2
	for j < len(p) && p[j] != quote {
		if quote == '"' && p[j] == '\\' {
			j++
		}
		j++
	}
	if j+1 >= len(p) || p[j+1] != ']' {
		return "", 0, fmt.Errorf(`the key in brackets at %s is not closed (write ["key"] or ['key'])`, p[i:])
	}
	if quote == '\'' {
		return p[i+2 : j], j + 2, nil
	}
	if err := json.Unmarshal([]byte(p[i+1:j+1]), &name); err != nil {
		return "", 0, fmt.Errorf("the key in brackets %s is not a JSON string", p[i:j+2])
	}
	return name, j + 2, nil
}
