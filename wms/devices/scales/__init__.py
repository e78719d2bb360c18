"""Serial scales: MT-SICS request/response and Toledo continuous output, read in grams."""

from wms.devices.scales.mtsics import MtSicsScale
from wms.devices.scales.serial_port import SerialConfig
from wms.devices.scales.toledo import ToledoContinuousScale

__all__ = ["MtSicsScale", "SerialConfig", "ToledoContinuousScale"]
