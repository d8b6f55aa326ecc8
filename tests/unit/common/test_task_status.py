"""The task status read model is the one definition of what both APIs answer."""

from dataclasses import fields

from async_service.api import api
from shared_domain.common.selectors import TaskDownload, TaskStatus
from sync_service.api.tasks import TaskDownloadOut, TaskStatusOut


def test_the_v1_serializer_mirrors_the_read_model_field_for_field():
    assert list(TaskStatusOut().fields) == [field.name for field in fields(TaskStatus)]
    assert list(TaskDownloadOut().fields) == [field.name for field in fields(TaskDownload)]


def test_v2_documents_the_read_model_itself():
    schema = api.get_openapi_schema()
    ok = schema["paths"]["/api/v2/tasks/{task_id}"]["get"]["responses"][200]
    assert ok["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TaskStatus"
    }
    documented = schema["components"]["schemas"]["TaskStatus"]["properties"]
    assert list(documented) == [field.name for field in fields(TaskStatus)]
