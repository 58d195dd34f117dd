package oscal

// The parts of OSCAL's catalog model that isogap writes and reads. Fields
// isogap does not use are left out: reading ignores them, having checked
// the whole document against the schema first.

type catalogDoc struct {
	Catalog catalogBody `json:"catalog"`
}

type catalogBody struct {
	UUID     string    `json:"uuid"`
	Metadata Metadata  `json:"metadata"`
	Params   []param   `json:"params,omitempty"`
	Controls []control `json:"controls,omitempty"`
	Groups   []group   `json:"groups,omitempty"`
}

type group struct {
	ID       string    `json:"id,omitempty"`
	Class    string    `json:"class,omitempty"`
	Title    string    `json:"title"`
	Params   []param   `json:"params,omitempty"`
	Props    []Prop    `json:"props,omitempty"`
	Parts    []Part    `json:"parts,omitempty"`
	Groups   []group   `json:"groups,omitempty"`
	Controls []control `json:"controls,omitempty"`
}

type control struct {
	ID       string    `json:"id"`
	Class    string    `json:"class,omitempty"`
	Title    string    `json:"title"`
	Params   []param   `json:"params,omitempty"`
	Props    []Prop    `json:"props,omitempty"`
	Links    []Link    `json:"links,omitempty"`
	Parts    []Part    `json:"parts,omitempty"`
	Controls []control `json:"controls,omitempty"`
}

type param struct {
	ID     string   `json:"id"`
	Label  string   `json:"label,omitempty"`
	Values []string `json:"values,omitempty"`
	Select *struct {
		HowMany string   `json:"how-many,omitempty"`
		Choice  []string `json:"choice,omitempty"`
	} `json:"select,omitempty"`
}

// Names of isogap's props and parts (in Namespace).
const (
	propKind        = "kind"
	propDepartment  = "department"
	propEffortDays  = "effort_days"
	propNewIn2022   = "new_in_2022"
	propAmended2024 = "amended_2024"
	propQuestionID  = "question-id"
	propAttrName    = "attribute-name"
	classDeclared   = "declared-value"
	partQuestion    = "question"
	partEvidence    = "evidence"
)
