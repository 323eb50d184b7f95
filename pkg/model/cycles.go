package model

// ParentCycles returns the IDs of the spans that are their own ancestor (a span naming
// itself as parent, or a loop of parents), in span order; nil when there are none. A
// parent ID is looked up among the spans' IDs, the first span of a repeated ID standing
// for it, as in Grafana's trace view; spans of one trace are assumed.
func ParentCycles(spans []Span) []string {
	byID := make(map[string]int, len(spans))
	for i := range spans {
		if _, dup := byID[spans[i].SpanID]; !dup {
			byID[spans[i].SpanID] = i
		}
	}
	const (
		unseen = iota
		onPath
		done
	)
	state := make([]uint8, len(spans))
	onCycle := make([]bool, len(spans))
	var path []int
	for s := range spans {
		path = path[:0]
		for i := s; state[i] != done; {
			if state[i] == onPath { // the walk came back to i: the path from i on is a loop
				for k := len(path) - 1; k >= 0; k-- {
					onCycle[path[k]] = true
					if path[k] == i {
						break
					}
				}
				break
			}
			state[i] = onPath
			path = append(path, i)
			p, ok := byID[spans[i].ParentSpanID]
			if spans[i].ParentSpanID == "" || !ok {
				break
			}
			i = p
		}
		for _, k := range path {
			state[k] = done
		}
	}
	var out []string
	for i, c := range onCycle {
		if c {
			out = append(out, spans[i].SpanID)
		}
	}
	return out
}
