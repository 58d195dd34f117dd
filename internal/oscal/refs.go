package oscal

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// CheckReferences checks what the schemas cannot: that no uuid is defined
// twice in a document and that every reference inside it (to an
// observation, risk, finding, party or role, or an href "#uuid" to a
// back-matter resource) points at something the document defines. The
// error lists each broken place by its JSON pointer.
func CheckReferences(doc []byte) error {
	var root any
	if err := json.Unmarshal(doc, &root); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	defined, roles := map[string]bool{}, map[string]bool{}
	var problems []string
	type ref struct{ at, target string }
	var refs []ref
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				p := path + "/" + k
				s, _ := c.(string)
				switch k {
				case "uuid":
					if defined[s] {
						problems = append(problems, p+": uuid "+s+" is defined twice")
					}
					defined[s] = true
				case "observation-uuid", "risk-uuid", "finding-uuid", "actor-uuid", "subject-uuid", "party-uuid":
					refs = append(refs, ref{p, s})
				case "party-uuids":
					list, _ := c.([]any)
					for i, u := range list {
						s, _ := u.(string)
						refs = append(refs, ref{p + "/" + strconv.Itoa(i), s})
					}
				case "href":
					if id, ok := strings.CutPrefix(s, "#"); ok {
						refs = append(refs, ref{p, id})
					}
				case "role-id":
					refs = append(refs, ref{p, "role:" + s})
				case "id":
					if strings.HasSuffix(path, "/metadata/roles") || strings.Contains(path, "/metadata/roles/") {
						roles[s] = true
					}
				}
				walk(p, c)
			}
		case []any:
			for i, c := range x {
				walk(path+"/"+strconv.Itoa(i), c)
			}
		}
	}
	walk("", root)
	for _, r := range refs {
		if role, ok := strings.CutPrefix(r.target, "role:"); ok {
			if !roles[role] {
				problems = append(problems, r.at+": role "+role+" is not among the metadata's roles")
			}
		} else if !defined[r.target] {
			problems = append(problems, r.at+": "+r.target+" is defined nowhere in the document")
		}
	}
	if len(problems) == 0 {
		return nil
	}
	sort.Strings(problems)
	return fmt.Errorf("broken references:\n  %s", strings.Join(problems, "\n  "))
}
