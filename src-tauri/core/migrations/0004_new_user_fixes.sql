-- What a CAB decision was made on, as canonical JSON, so a later difference can be named.
-- NULL for decisions recorded before this version (they keep their hash).
ALTER TABLE approvals ADD COLUMN content TEXT;
