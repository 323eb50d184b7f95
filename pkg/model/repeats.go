package model

// RepeatedSpanIDs returns the span IDs that more than one of the spans carry, each once,
// in the order of their first repeat; nil when every ID is distinct. Spans of one trace
// are assumed.
func RepeatedSpanIDs(spans []Span) []string {
	seen := make(map[string]uint8, len(spans))
	var out []string
	for i := range spans {
		id := spans[i].SpanID
		switch seen[id] {
		case 0:
			seen[id] = 1
		case 1:
			seen[id] = 2
			out = append(out, id)
		}
	}
	return out
}
