package store

import (
	"context"

	"github.com/isogap/isogap/internal/assess"
)

// PlanStore keeps what the results of an assessment need besides its items:
// the forecast assumptions people set, and named snapshots.
type PlanStore interface {
	// PlanSettings returns the assessment's stored assumption settings;
	// version 0 and no values when none were ever set. Kind NotFound when
	// the assessment does not exist.
	PlanSettings(ctx context.Context, assessmentID string) (PlanSettings, error)
	// PutPlanSettings replaces the settings if the stored version is
	// baseVersion (0: none stored yet) and records the changes under the
	// new version; otherwise it fails with kind Conflict.
	PutPlanSettings(ctx context.Context, assessmentID string, values map[string]string, baseVersion int, actor string, changes []assess.Change) (PlanSettings, error)

	// CreateSnapshot stores a snapshot; kind Conflict if the assessment
	// already has one of that name.
	CreateSnapshot(ctx context.Context, s Snapshot) error
	// Snapshot returns one snapshot by name.
	Snapshot(ctx context.Context, assessmentID, name string) (Snapshot, error)
	// Snapshots lists an assessment's snapshots, oldest first.
	Snapshots(ctx context.Context, assessmentID string) ([]Snapshot, error)
	DeleteSnapshot(ctx context.Context, assessmentID, name string) error
}

// PlanSettings and Snapshot are the domain's; the store keeps them.
type (
	PlanSettings = assess.PlanSettings
	Snapshot     = assess.Snapshot
)
