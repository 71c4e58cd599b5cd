"""Sensor and video alerts (感知告警, issue 7): devices, intake over MQTT/HTTP, grouping, suppression, dispatch."""
