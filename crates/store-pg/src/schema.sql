-- Migration 1: the newsdesk store on PostgreSQL. Ids are the 64-bit
-- content ids stored as BIGINT (the same bits as the embedded store's
-- SQLite integers).
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs(key BIGINT PRIMARY KEY);
CREATE SEQUENCE index_seq;
CREATE TABLE articles(
  id BIGINT PRIMARY KEY, seq BIGINT NOT NULL UNIQUE, url TEXT, site TEXT, location TEXT NOT NULL,
  headline TEXT, language TEXT, published TEXT, published_unix BIGINT, updated TEXT,
  group_id BIGINT NOT NULL, story_id BIGINT NOT NULL, rev INT NOT NULL, body_len BIGINT NOT NULL,
  article_json TEXT NOT NULL, signature BYTEA NOT NULL,
  -- Full-text: headline (weight A) and body (weight B), 'simple'
  -- configuration (lower-cased words, no stemming, like the embedded index).
  tsv TSVECTOR NOT NULL,
  -- The whole name and each word of every quoted speaker / mentioned entity.
  speaker_terms TEXT[] NOT NULL, entity_terms TEXT[] NOT NULL,
  -- Position in the index sequence of the latest change (follows match on it).
  iseq BIGINT NOT NULL);
CREATE INDEX articles_tsv ON articles USING GIN(tsv);
CREATE INDEX articles_speakers ON articles USING GIN(speaker_terms);
CREATE INDEX articles_entities ON articles USING GIN(entity_terms);
CREATE INDEX articles_group ON articles(group_id);
CREATE INDEX articles_story ON articles(story_id);
CREATE INDEX articles_iseq ON articles(iseq);
CREATE INDEX articles_published ON articles(published_unix);
CREATE TABLE revisions(
  article_id BIGINT NOT NULL, rev INT NOT NULL, location TEXT NOT NULL, fetched_unix BIGINT,
  updated TEXT, headline TEXT, body TEXT NOT NULL, diff_json TEXT NOT NULL,
  PRIMARY KEY(article_id, rev));
CREATE TABLE groups(id BIGINT PRIMARY KEY, representative BIGINT NOT NULL, size BIGINT NOT NULL);
CREATE TABLE stories(
  id BIGINT PRIMARY KEY, seq BIGINT NOT NULL, headline TEXT, first_unix BIGINT, last_unix BIGINT,
  first_published TEXT, last_published TEXT, size BIGINT NOT NULL);
CREATE TABLE story_log(seq BIGINT PRIMARY KEY, article_id BIGINT NOT NULL, story_id BIGINT NOT NULL, features BYTEA NOT NULL);
CREATE TABLE quotes(
  article_id BIGINT NOT NULL, idx INT NOT NULL, speaker TEXT, speaker_lc TEXT, role TEXT,
  kind TEXT NOT NULL, text TEXT NOT NULL, cue TEXT, PRIMARY KEY(article_id, idx));
CREATE INDEX quotes_speaker ON quotes(speaker_lc);
CREATE TABLE entities(id BIGINT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL);
CREATE TABLE mentions(
  article_id BIGINT NOT NULL, entity_id BIGINT NOT NULL, count INT NOT NULL,
  PRIMARY KEY(article_id, entity_id));
CREATE INDEX mentions_entity ON mentions(entity_id);
CREATE TABLE follows(
  id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, value TEXT NOT NULL,
  start_seq BIGINT NOT NULL);
CREATE TABLE follow_matches(
  follow_id BIGINT NOT NULL, article_id BIGINT NOT NULL, iseq BIGINT NOT NULL,
  delivered BOOLEAN NOT NULL DEFAULT FALSE, PRIMARY KEY(follow_id, article_id));
CREATE TABLE ingest_errors(id BIGINT PRIMARY KEY, location TEXT NOT NULL, message TEXT NOT NULL);
-- Cluster ingest: one row per job (an `ingest --cluster` run); items commit
-- in order, `next_item` is the first not yet committed.
CREATE TABLE cluster_jobs(
  id TEXT PRIMARY KEY, created_unix BIGINT NOT NULL, items BIGINT, next_item BIGINT NOT NULL DEFAULT 0,
  records BIGINT NOT NULL DEFAULT 0, articles BIGINT NOT NULL DEFAULT 0, errors BIGINT NOT NULL DEFAULT 0,
  dead BIGINT NOT NULL DEFAULT 0, started_unix DOUBLE PRECISION, finished_unix DOUBLE PRECISION);
-- Why an item failed, per attempt, and the items sent to the dead letters.
CREATE TABLE cluster_failures(job TEXT NOT NULL, item BIGINT NOT NULL, attempt INT NOT NULL, reason TEXT NOT NULL,
  PRIMARY KEY(job, item, attempt));
CREATE TABLE cluster_dead(job TEXT NOT NULL, item BIGINT NOT NULL, what TEXT NOT NULL, reason TEXT NOT NULL,
  PRIMARY KEY(job, item));
