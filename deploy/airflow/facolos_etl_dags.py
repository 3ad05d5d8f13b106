"""Airflow DAGs of the Facolos ETL, the old system's schedule on the new image.

full_load_etl_dag       manual trigger only; the three platforms in parallel,
                        each a task running the image with -mode full.
incremental_etl_dag     every 15 minutes, max_active_runs=1, catch-up off;
                        the three platforms in parallel, -mode incremental.
sharded_incremental_etl_dag
                        scale-out for many accounts: every 15 minutes, one
                        mapped task per shard (SHARDS, default 4), each
                        running the image with -shard i/SHARDS over the whole
                        accounts file (ETL_ACCOUNTS). Use it instead of
                        incremental_etl_dag, not beside it.

Each task runs the etl-sync image (DockerOperator). Where the old DAGs had
extract -> transform -> load tasks passing data through XCom, one task now
does all three with checkpoints in the warehouse, so a retry resumes where
the failed try stopped. The old incremental_refresh_bridge_dag is gone: an
incremental run starts at the committed watermark (minus a small lookback),
not at "now - 15 minutes", so nothing changed during a long full load is
missed and no catch-up DAG is needed.

Secrets come from the worker's environment (or an Airflow secrets backend
exporting them) and reach the container through private_environment, which
Airflow never renders in the UI or logs.
"""

import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.providers.docker.operators.docker import DockerOperator

IMAGE = os.environ.get("ETL_IMAGE", "facolos/etl-sync:latest")
PLATFORMS = ["tiktok", "misa", "shopee", "lazada"]

# Non-secret settings, visible in the task's rendered fields.
PUBLIC_ENV = {
    name: os.environ[name]
    for name in (
        "SQL_SERVER_HOST",
        "SQL_SERVER_PORT",
        "SQL_SERVER_DATABASE",
        "SQL_SERVER_USERNAME",
        "SQL_SERVER_ENCRYPT",
        "SQL_SERVER_TRUST_SERVER_CERTIFICATE",
        "STAGING_SCHEMA",
        "SHOPEE_PARTNER_ID",
        "SHOPEE_SHOP_ID",
        "TIKTOK_APP_KEY",
        "TIKTOK_SHOP_CIPHER",
        "MISA_CRM_CLIENT_ID",
        "LAZADA_APP_KEY",
        "LAZADA_SELLER_ID",
        "LAZADA_COUNTRY",
    )
    if os.environ.get(name)
}

# Secrets: never rendered.
PRIVATE_ENV = {
    name: os.environ[name]
    for name in (
        "SQL_SERVER_PASSWORD",
        "SHOPEE_PARTNER_KEY",
        "SHOPEE_ACCESS_TOKEN",
        "SHOPEE_REFRESH_TOKEN",
        "TIKTOK_APP_SECRET",
        "TIKTOK_ACCESS_TOKEN",
        "TIKTOK_REFRESH_TOKEN",
        "MISA_CRM_CLIENT_SECRET",
        "MISA_CRM_ACCESS_TOKEN",
        "LAZADA_APP_SECRET",
        "LAZADA_ACCESS_TOKEN",
        "LAZADA_REFRESH_TOKEN",
    )
    if os.environ.get(name)
}


# What every task of the image shares. Exit 3: another worker held the
# streams' leases and did the work; the task is marked skipped, not failed.
DOCKER = dict(
    image=IMAGE,
    environment=PUBLIC_ENV,
    private_environment=PRIVATE_ENV,
    network_mode=os.environ.get("ETL_DOCKER_NETWORK", "bridge"),
    auto_remove="success",
    mount_tmp_dir=False,
    skip_on_exit_code=3,
)


def sync_task(platform, mode, timeout):
    """One platform's sync: the image with -platforms <platform>.

    Exit codes: 0 ok (or skipped: another worker held the lease), 1 a
    pipeline failed (Airflow retries), 2 bad configuration.
    """
    return DockerOperator(
        task_id=f"{platform}_{mode}",
        command=["-platforms", platform, "-mode", mode, "-report", "json"],
        execution_timeout=timeout,
        **DOCKER,
    )


with DAG(
    dag_id="full_load_etl_dag",
    description="Full load of every platform (manual trigger only)",
    schedule=None,
    start_date=datetime(2024, 7, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=5)},
    tags=["etl", "full"],
) as full_load_etl_dag:
    start = EmptyOperator(task_id="start_full_load")
    end = EmptyOperator(task_id="end_full_load")
    for p in PLATFORMS:
        start >> sync_task(p, "full", timedelta(hours=4)) >> end

with DAG(
    dag_id="incremental_etl_dag",
    description="Incremental sync of every platform every 15 minutes",
    schedule="*/15 * * * *",
    start_date=datetime(2025, 9, 3),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=2)},
    tags=["etl", "incremental"],
) as incremental_etl_dag:
    start = EmptyOperator(task_id="start_incremental")
    end = EmptyOperator(task_id="end_incremental")
    for p in PLATFORMS:
        start >> sync_task(p, "incremental", timedelta(minutes=30)) >> end


# Scale-out: the accounts of ETL_ACCOUNTS split over SHARDS workers. Each
# mapped task runs its shard (rendezvous hashing of the pipeline names with
# bounded loads: shards differ by one account at most, adding a shop moves
# that shop and a few others), then helps with the streams nobody
# started and watches those another task holds, taking over the ones of a
# task that died once their leases expire. A stream that succeeded less
# than 10 minutes ago is not run again (-fresh-within), and each task keeps
# 1/SHARDS of every app's API budget and of the default PostgreSQL pool. See docs/operations.md, "Scale-out".
SHARDS = int(os.environ.get("ETL_SHARDS", "4"))

with DAG(
    dag_id="sharded_incremental_etl_dag",
    description="Incremental sync of every account, one mapped task per shard",
    schedule="*/15 * * * *",
    start_date=datetime(2025, 9, 3),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=2)},
    tags=["etl", "incremental", "sharded"],
) as sharded_incremental_etl_dag:
    DockerOperator.partial(
        task_id="sync_shard",
        execution_timeout=timedelta(minutes=30),
        **DOCKER,
    ).expand(
        command=[
            ["-mode", "incremental", "-accounts", os.environ.get("ETL_ACCOUNTS", "/etc/etl/accounts.yaml"),
             "-shard", f"{i}/{SHARDS}", "-fresh-within", "10m", "-report", "json"]
            for i in range(SHARDS)
        ]
    )
