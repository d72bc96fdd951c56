-- Custom fields, and links between records (contact roles on pipelines, products on pipelines).

CREATE TABLE custom_fields (
    org_id        BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    module        TEXT NOT NULL,
    api_name      TEXT NOT NULL,
    label         TEXT NOT NULL,
    data_type     TEXT NOT NULL,
    length        BIGINT,
    picklist      TEXT NOT NULL,
    is_unique     BOOLEAN NOT NULL,
    lookup_module TEXT,
    created_time  BIGINT NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, module, api_name)
);

CREATE TABLE record_links (
    org_id       BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    a_id         BIGINT NOT NULL,
    b_id         BIGINT NOT NULL,
    data         JSONB NOT NULL,
    created_time BIGINT NOT NULL,
    PRIMARY KEY (org_id, kind, a_id, b_id)
);
CREATE INDEX record_links_by_b ON record_links (org_id, kind, b_id);

CREATE INDEX records_by_deleted ON records (org_id, module, deleted_time) WHERE deleted_time IS NOT NULL;
