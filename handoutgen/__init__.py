"""handoutgen: multilingual patient-education handouts, from YAML to print-ready PDFs."""

__version__ = "0.1.0"
