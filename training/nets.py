"""The networks: plate reader, detector, corner model, plate check and state model."""

from __future__ import annotations

import torch
from torch import nn

from platewarden.vision.ocr import ALPHABET, STATES


def _cbr(cin: int, cout: int, k: int = 3, stride: int = 1, pad: int | tuple = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride, pad, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class CRNN(nn.Module):
    """Read a 1x32x128 plate crop into 32 steps of character logits, plus state logits."""

    def __init__(self) -> None:
        super().__init__()
        self.cnn = nn.Sequential(
            _cbr(1, 32),
            nn.MaxPool2d(2),  # 16x64
            _cbr(32, 64),
            nn.MaxPool2d(2),  # 8x32
            _cbr(64, 96),
            _cbr(96, 96),
            nn.MaxPool2d((2, 1)),  # 4x32
            _cbr(96, 128),
            _cbr(128, 128),
            nn.MaxPool2d((2, 1)),  # 2x32
            _cbr(128, 192, k=(2, 1), pad=0),  # 1x32
        )
        self.seq = nn.Sequential(
            nn.Conv1d(192, 192, 3, padding=1),
            nn.BatchNorm1d(192),
            nn.ReLU(inplace=True),
            nn.Conv1d(192, 192, 3, padding=2, dilation=2),
            nn.BatchNorm1d(192),
            nn.ReLU(inplace=True),
            nn.Dropout(0.1),
        )
        self.chars = nn.Conv1d(192, len(ALPHABET) + 1, 1)
        self.state = nn.Linear(128 * 2, len(STATES))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return char logits (N, T, C) and state logits (N, S)."""
        feats = self.cnn[:-1](x)
        pooled = torch.cat([feats.mean(dim=(2, 3)), feats.amax(dim=(2, 3))], dim=1)
        seq = self.cnn[-1](feats).squeeze(2)
        chars = self.chars(self.seq(seq) + seq)
        return chars.transpose(1, 2), self.state(pooled)


class Detector(nn.Module):
    """Map a grayscale image to a stride-4 plate-centre heatmap, box size and centre offset."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(_cbr(1, 16, stride=2), _cbr(16, 24, stride=2))  # /4
        self.s8 = nn.Sequential(_cbr(24, 32, stride=2), _cbr(32, 32))  # /8
        self.s16 = nn.Sequential(_cbr(32, 64, stride=2), _cbr(64, 64), _cbr(64, 64))  # /16
        self.s32 = nn.Sequential(_cbr(64, 96, stride=2), _cbr(96, 96))  # /32
        self.up32 = _cbr(96, 64, k=1, pad=0)
        self.up16 = _cbr(64, 32, k=1, pad=0)
        self.up8 = _cbr(32, 24, k=1, pad=0)
        self.head = nn.Sequential(_cbr(24, 32), nn.Conv2d(32, 5, 1))
        with torch.no_grad():  # start the heatmap near "no plate" (CenterNet's prior of 0.1)
            self.head[-1].bias[0] = -2.19

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return (N, 5, H/4, W/4): heat logit, log w, log h, dx, dy."""
        up = nn.functional.interpolate
        f4 = self.stem(x)
        f8 = self.s8(f4)
        f16 = self.s16(f8)
        f32 = self.s32(f16)
        p16 = f16 + up(self.up32(f32), size=f16.shape[2:], mode="nearest")
        p8 = f8 + up(self.up16(p16), size=f8.shape[2:], mode="nearest")
        p4 = f4 + up(self.up8(p8), size=f4.shape[2:], mode="nearest")
        return self.head(p4)


def _crop_features() -> nn.Sequential:
    """The features of a 1x48x144 crop around a box (the corner model's and the plate check's):
    64 channels, 3x9."""
    return nn.Sequential(
        _cbr(1, 16),
        nn.MaxPool2d(2),  # 24x72
        _cbr(16, 32),
        nn.MaxPool2d(2),  # 12x36
        _cbr(32, 48),
        _cbr(48, 48),
        nn.MaxPool2d(2),  # 6x18
        _cbr(48, 64),
        nn.MaxPool2d(2),  # 3x9
    )


class CornerNet(nn.Module):
    """Place a plate's four corners in its grown box: 1x48x144 crop to 8 fractions of the crop."""

    def __init__(self) -> None:
        super().__init__()
        self.cnn = _crop_features()
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(64 * 3 * 9, 128), nn.ReLU(inplace=True), nn.Linear(128, 8)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return (N, 8): x, y of the top-left, top-right, bottom-right and bottom-left corners."""
        return self.head(self.cnn(x)) * 0.5 + 0.5


class PlateCheckNet(nn.Module):
    """Tell whether a detector's box holds a plate: the corner model's 1x48x144 input to a logit."""

    def __init__(self) -> None:
        super().__init__()
        self.cnn = _crop_features()
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(0.2),
            nn.Linear(64 * 3 * 9, 64),
            nn.ReLU(inplace=True),
            nn.Linear(64, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return (N,) logits: above 0, likelier a plate than not."""
        return self.head(self.cnn(x))[:, 0]


class StateNet(nn.Module):
    """Classify a 3x80x160 colour plate crop into "not US" or a US state (52 logits).

    The last feature map (5 rows x 10 columns) is averaged across its width only, so that the
    head still knows which band (the top's state name, the bottom's slogan) a feature came from.
    """

    def __init__(self) -> None:
        super().__init__()
        self.cnn = nn.Sequential(
            _cbr(3, 24, stride=2),  # 40x80
            _cbr(24, 32),
            nn.MaxPool2d(2),  # 20x40
            _cbr(32, 64),
            nn.MaxPool2d(2),  # 10x20
            _cbr(64, 96),
            _cbr(96, 96),
            nn.MaxPool2d(2),  # 5x10
            _cbr(96, 128),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(128 * 5, len(STATES)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return (N, 52) state logits."""
        return self.head(self.cnn(x).mean(dim=3))
