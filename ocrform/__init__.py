"""ocrform: Chinese performance self-evaluation forms (项目支出绩效自评表) to canonical JSON."""

__version__ = "0.1.0"
