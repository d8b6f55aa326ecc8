"""Serializers that only describe shapes shared by every v1 endpoint in the OpenAPI
document (the error body, health answers)."""

from __future__ import annotations

from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer[dict[str, object]]):
    code = serializers.CharField(help_text="Stable machine-readable error code.")
    message = serializers.CharField(help_text="Human-readable explanation.")
    details = serializers.DictField(
        help_text="Per-field messages for validation errors, or extra facts about the error."
    )


class ErrorSerializer(serializers.Serializer[dict[str, object]]):
    error = ErrorDetailSerializer()


class HealthSerializer(serializers.Serializer[dict[str, object]]):
    status = serializers.CharField()
    service = serializers.CharField()


class ReadinessSerializer(serializers.Serializer[dict[str, object]]):
    status = serializers.CharField()
    service = serializers.CharField()
    checks = serializers.DictField(child=serializers.CharField())
    degraded = serializers.BooleanField(help_text="A dependency other than the database is down.")
