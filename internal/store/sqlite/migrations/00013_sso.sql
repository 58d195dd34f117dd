-- +goose Up
-- OpenID Connect providers people sign in with. The client secret is kept
-- as given: isogap must send it to the provider, so it cannot be hashed;
-- no listing, page or export shows it back.
CREATE TABLE sso_providers (
    name            TEXT PRIMARY KEY,
    display_name    TEXT NOT NULL,
    issuer          TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    client_secret   TEXT NOT NULL DEFAULT '',
    scopes          TEXT NOT NULL DEFAULT '',
    allowed_domains TEXT NOT NULL DEFAULT '',
    jit             INTEGER NOT NULL DEFAULT 0,
    group_claim     TEXT NOT NULL DEFAULT '',
    admin_groups    TEXT NOT NULL DEFAULT '',
    creator_groups  TEXT NOT NULL DEFAULT '',
    enabled         INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL,
    updated_by      TEXT NOT NULL DEFAULT ''
);

-- Accounts linked to a provider's subject: the only way an SSO sign-in
-- finds its account (never the e-mail address alone).
CREATE TABLE sso_identities (
    provider  TEXT NOT NULL REFERENCES sso_providers (name) ON DELETE CASCADE,
    subject   TEXT NOT NULL,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email     TEXT NOT NULL DEFAULT '',
    linked_at INTEGER NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE UNIQUE INDEX sso_identities_user ON sso_identities (user_id, provider);

-- Sign-ins under way: the state (by hash), its nonce and PKCE verifier.
-- Kept in the database so any instance can finish a sign-in another began,
-- and taken (deleted) on first use so a replay finds nothing.
CREATE TABLE sso_states (
    state_hash   TEXT PRIMARY KEY,
    provider     TEXT NOT NULL,
    nonce        TEXT NOT NULL,
    verifier     TEXT NOT NULL,
    link_user_id INTEGER NOT NULL DEFAULT 0,
    next         TEXT NOT NULL DEFAULT '',
    expires_at   INTEGER NOT NULL
);

-- +goose Down
DROP TABLE sso_states;
DROP TABLE sso_identities;
DROP TABLE sso_providers;
