"""Schemas split by direction: ``XSchema`` dumps, ``XCreateSchema``/``XUpdateSchema`` load, ``XQueryArgsSchema`` reads queries."""
