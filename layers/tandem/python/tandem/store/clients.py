"""The AWS clients the store calls, each built on first use and kept for the process, all from
one botocore session.

Plain botocore rather than boto3: boto3 adds its resource layer and s3transfer, tens of
milliseconds of a cold start that a person opening a link waits for, and no call here uses
them. The clients read the same environment as boto3's (region, credentials, AWS_ENDPOINT_URL).

One session, PynamoDB's clients included (store/table.py): a session parses botocore's data
files (the 1 MB endpoints file among them) on its first client, and a cold page would otherwise
pay that again for every model class it reads and for the signing key.

The data a client is built from is parsed when its store module loads (`load_service_data`):
Lambda runs a function's init on a full vCPU and its requests on the share of one that its
memory buys (under a third at 512 MB), so the parsing costs a person who opened a link less
there than in the first request.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path
from typing import Any

import botocore.loaders
import botocore.session


class _Session(botocore.session.Session):
    """Builds one client at a time: a session fills its caches unguarded on first use, and the
    local runtime serves requests from threads."""

    _building = threading.Lock()

    def create_client(self, *args: Any, **kwargs: Any) -> Any:
        with self._building:
            return super().create_client(*args, **kwargs)


class _Loader(botocore.loaders.Loader):
    """botocore's data loader, but it takes each folder of its search paths for a service
    rather than looking in every one of some 450 for a model of the type asked (two listings,
    about 18 ms of a cold start). A name that is no service still fails as it did."""

    def list_available_services(self, type_name: str) -> list[str]:
        folders = [Path(path) for path in self.search_paths]
        return sorted({entry.name for f in folders if f.is_dir() for entry in f.iterdir()})


@cache
def session() -> botocore.session.Session:
    made = _Session()
    botocores = made.get_component("data_loader")  # its search paths: AWS_DATA_PATH and its own
    loader = _Loader(extra_search_paths=botocores.search_paths, include_default_search_paths=False)
    made.register_component("data_loader", loader)
    return made


@cache
def client(service: str) -> Any:
    return session().create_client(service)


def load_service_data(*services: str) -> None:
    """Parses now what building these services' clients would: the endpoints and partitions, the
    defaults and retry rules, each service's model and endpoint rules. The loader keeps each by
    its arguments, so they are passed as building a client passes them."""
    loader = session().get_component("data_loader")
    for name in ("endpoints", "partitions", "sdk-default-configuration", "_retry"):
        loader.load_data_with_path(name)
    for service in services:
        for kind in ("service-2", "endpoint-rule-set-1"):
            loader.load_service_model(service, kind, api_version=None)
