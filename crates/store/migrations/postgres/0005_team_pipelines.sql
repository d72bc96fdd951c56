-- Team pipelines an organization added beside the default "Sales Pipeline": sub-pipelines with
-- their stage names as JSON ([{"name","stages":[...]}]); ids derive from the pipeline's id.

CREATE TABLE team_pipelines (
    org_id        BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    name          TEXT NOT NULL,
    sub_pipelines TEXT NOT NULL,
    created_time  BIGINT NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, name)
);
