-- Team pipelines an organization added beside the default "Sales Pipeline": sub-pipelines with
-- their stage names as JSON ([{"name","stages":[...]}]); ids derive from the pipeline's id.

CREATE TABLE team_pipelines (
    org_id        INTEGER NOT NULL,
    id            INTEGER NOT NULL,
    name          TEXT NOT NULL,
    sub_pipelines TEXT NOT NULL,
    created_time  INTEGER NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, name)
);
