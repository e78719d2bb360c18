"""Pydantic models that validate API requests and generate the OpenAPI document."""
