"""OpenAPI naming: views keep their serializers nested (``InputSerializer`` / ``OutputSerializer``), so components
are named after the view (``JobListCreateInputRequest``), and a GET on a collection is a ``list``."""

from drf_spectacular.openapi import AutoSchema


class RiffAutoSchema(AutoSchema):
    def _get_serializer_name(self, serializer, direction, bypass_extensions=False):
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        cls = serializer if isinstance(serializer, type) else serializer.__class__
        parts = cls.__qualname__.split(".")
        if len(parts) > 1:
            outer = parts[0].removesuffix("Api")
            if not name.startswith(outer):
                name = f"{outer}{name}"
        return name

    def get_operation_id(self):
        operation_id = super().get_operation_id()
        if self.method == "GET" and not self.path.rstrip("/").endswith("}") and operation_id.endswith("_retrieve"):
            operation_id = operation_id[: -len("_retrieve")] + "_list"
        return operation_id
