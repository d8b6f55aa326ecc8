"""Endpoints mounted only in the test URLconf. They carry no business logic: each
exercises the v1/v2 plumbing (parsers, validation, exception handlers) the real
endpoints share, so that plumbing is tested on its own."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Schema, Status
from pydantic import Field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from async_service.api.errors import JsonParser, install_exception_handlers
from shared_domain.common.errors import Conflict, Throttled


class EchoIn(serializers.Serializer):
    name = serializers.CharField(max_length=20)
    quantity = serializers.IntegerField(min_value=1, max_value=99)
    tags = serializers.ListField(child=serializers.CharField(), required=False)


class EchoApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    def post(self, request: Request) -> Response:
        data = EchoIn(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["name"] == "conflict":
            raise Conflict("Probe conflict.", details={"name": "conflict"})
        if data.validated_data["name"] == "throttle":
            raise Throttled(retry_after=7)
        if data.validated_data["name"] == "crash":
            raise RuntimeError("probe crash with secret internals")
        return Response(data.validated_data, status=201)


probe_api = NinjaAPI(urls_namespace="probe-v2", parser=JsonParser(), docs_url=None)
install_exception_handlers(probe_api)


class EchoSchema(Schema):
    name: str = Field(max_length=20)
    quantity: int = Field(ge=1, le=99)


@probe_api.post("/echo", response={201: EchoSchema})
async def echo(request: HttpRequest, payload: EchoSchema) -> Status[dict[str, Any]]:
    if payload.name == "conflict":
        raise Conflict("Probe conflict.", details={"name": "conflict"})
    if payload.name == "throttle":
        raise Throttled(retry_after=7)
    if payload.name == "crash":
        raise RuntimeError("probe crash with secret internals")
    return Status(201, payload.model_dump())
